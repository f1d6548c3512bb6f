import type { DepartmentState } from '../delivery/department-state';

/** Days are counted in the time zone of the statistics API (`GET /api/v1/stats`), so both agree. */
export const DASHBOARD_TIME_ZONE = 'Asia/Shanghai';
export const DAY_RANGES = [14, 30] as const;
export type DayRange = (typeof DAY_RANGES)[number];

/** Everything the dashboard shows; also served as JSON at `GET /admin/api/overview`. */
export interface DashboardOverview {
  generatedAt: string;
  timeZone: string;
  departments: DepartmentHealth[];
  lastHour: { from: string; minutes: MinuteBucket[] };
  deadLetters: { total: number; items: DeadLetter[] };
  overdue: { total: number; items: OverdueCase[] };
  daily: DailySeries;
}

export interface DepartmentHealth extends DepartmentState {
  queue: DepartmentState['queue'] & { depth: number };
  /** Start of the last attempt the department accepted (`delivered` or `queued`), within 24 h. */
  lastSuccessAt: string | null;
  /** Attempts in the last hour; `failed` = transient failures (timeouts, 5xx, connection errors). */
  lastHour: { attempts: number; failed: number; errorRate: number | null };
  deadLettered: number;
}

/** One minute of the last hour, all departments together. */
export interface MinuteBucket {
  at: string;
  /** Attempts accepted by the department (`delivered`, or `queued` for file and pull transfer). */
  delivered: number;
  failed: number;
  /** Refused by the department at delivery (permanent failure). */
  rejected: number;
  /** Jobs waiting, active, delayed or paused, sampled at the end of the minute; null when not sampled. */
  queueDepth: number | null;
}

export interface DeadLetter {
  id: string;
  caseId: string;
  department: string;
  serviceCode: string;
  attempts: number;
  replays: number;
  /** With resident ID and mobile numbers masked. */
  lastError: string | null;
  since: string;
}

/** Masked data only: the applicant as masked at intake, never the encrypted payload. */
export interface OverdueCase {
  id: string;
  source: string;
  externalId: string;
  serviceCode: string;
  regionCode: string;
  status: string;
  applicant: { name?: string; idNumber?: string };
  dueAt: string | null;
  overdueAt: string | null;
  createdAt: string;
}

export interface DailySeries {
  days: DayRange;
  /** First day and the day after the last one, as instants (local midnight). */
  from: string;
  to: string;
  departments: Array<{ code: string; name: string; points: DailyPoint[] }>;
}

/**
 * Deliveries created on `day` (local date). On-time, as in the statistics API: `eligible` have a
 * due date and are final or already past it; `onTime` were final at or before it.
 */
export interface DailyPoint {
  day: string;
  volume: number;
  eligible: number;
  onTime: number;
  rate: number | null;
}
