import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { scrubPersonalData } from '../common/masking';
import { DeliveryStatus } from '../lifecycle/delivery-status';
import type { DeadLetter, OverdueCase } from './dashboard-overview';

export interface AttemptCount {
  department: string;
  /** Minutes since the start of the window. */
  slot: number;
  outcome: string;
  n: number;
}

export interface DailyCount {
  department: string;
  /** Days since the first day of the range. */
  slot: number;
  volume: number;
  eligible: number;
  onTime: number;
}

/** Attempt outcomes that mean the department took the case. */
const ACCEPTED_OUTCOMES = ['delivered', 'queued'];
const LAST_ERROR_CHARS = 300;

/**
 * The dashboard's reads from MySQL: small aggregates over indexed time ranges (attempts by
 * `started_at`, cases by `created_at`), so a refresh every few seconds stays cheap.
 */
@Injectable()
export class DashboardStore {
  constructor(private readonly db: DataSource) {}

  /** Attempts per department, minute and outcome since `since` (minute-aligned). */
  async attemptsByMinute(since: Date): Promise<AttemptCount[]> {
    const rows = await this.db.query<Array<{ department: string; slot: string; outcome: string; n: string }>>(
      `SELECT d.department, TIMESTAMPDIFF(MINUTE, ?, a.started_at) AS slot, a.outcome, COUNT(*) AS n
         FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
        WHERE a.started_at >= ?
        GROUP BY d.department, slot, a.outcome`,
      [since, since],
    );
    return rows.map((r) => ({
      department: r.department,
      slot: Number(r.slot),
      outcome: r.outcome,
      n: Number(r.n),
    }));
  }

  /** The newest accepted attempt of a department since `since`; walks the time index backwards. */
  async lastSuccess(department: string, since: Date): Promise<Date | null> {
    const [row] = await this.db.query<Array<{ started_at: Date }>>(
      `SELECT a.started_at FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
        WHERE a.started_at >= ? AND d.department = ? AND a.outcome IN (?, ?)
        ORDER BY a.started_at DESC LIMIT 1`,
      [since, department, ...ACCEPTED_OUTCOMES],
    );
    return row?.started_at ?? null;
  }

  async deadLetterCounts(): Promise<Map<string, number>> {
    const rows = await this.db.query<Array<{ department: string; n: string }>>(
      'SELECT department, COUNT(*) AS n FROM deliveries WHERE status = ? GROUP BY department',
      [DeliveryStatus.DeadLettered],
    );
    return new Map(rows.map((r) => [r.department, Number(r.n)]));
  }

  /** The newest dead letters first. */
  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT d.id, d.case_id, d.department, d.attempts, d.replays, d.last_error, d.updated_at, c.service_code
         FROM deliveries d JOIN cases c ON c.id = d.case_id
        WHERE d.status = ? ORDER BY d.updated_at DESC, d.id LIMIT ?`,
      [DeliveryStatus.DeadLettered, limit],
    );
    return rows.map((r) => ({
      id: r.id as string,
      caseId: r.case_id as string,
      department: r.department as string,
      serviceCode: r.service_code as string,
      attempts: Number(r.attempts),
      replays: Number(r.replays),
      // Department error texts may quote the case back: mask before showing them.
      lastError: r.last_error ? scrubPersonalData(r.last_error as string).slice(0, LAST_ERROR_CHARS) : null,
      since: (r.updated_at as Date).toISOString(),
    }));
  }

  /** Open cases marked overdue or past their due date, newest first. */
  async overdueCases(now: Date, limit: number): Promise<{ total: number; items: OverdueCase[] }> {
    const where = 'completed_at IS NULL AND (overdue_at IS NOT NULL OR due_at < ?)';
    const [count] = await this.db.query<Array<{ n: string }>>(
      `SELECT COUNT(*) AS n FROM cases WHERE ${where}`,
      [now],
    );
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT id, source, external_id, service_code, region_code, status, applicant_masked, due_at, overdue_at,
              created_at
         FROM cases WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ?`,
      [now, limit],
    );
    const iso = (value: unknown) => (value ? (value as Date).toISOString() : null);
    return {
      total: Number(count?.n ?? 0),
      items: rows.map((r) => {
        const masked = JSON.parse(r.applicant_masked as string) as { name?: string; idNumber?: string };
        return {
          id: r.id as string,
          source: r.source as string,
          externalId: r.external_id as string,
          serviceCode: r.service_code as string,
          regionCode: r.region_code as string,
          status: r.status as string,
          applicant: { name: masked.name, idNumber: masked.idNumber },
          dueAt: iso(r.due_at),
          overdueAt: iso(r.overdue_at),
          createdAt: (r.created_at as Date).toISOString(),
        };
      }),
    };
  }

  /** Deliveries per department and day of creation, with their on-time counts (see DailyPoint). */
  async dailyCounts(from: Date, to: Date, now: Date): Promise<DailyCount[]> {
    const rows = await this.db.query<Array<Record<string, string>>>(
      `SELECT d.department, TIMESTAMPDIFF(DAY, ?, c.created_at) AS slot, COUNT(*) AS volume,
              SUM(d.due_at IS NOT NULL AND (d.final_at IS NOT NULL OR d.due_at < ?)) AS eligible,
              SUM(d.due_at IS NOT NULL AND d.final_at IS NOT NULL AND d.final_at <= d.due_at) AS on_time
         FROM cases c JOIN deliveries d ON d.case_id = c.id
        WHERE c.created_at >= ? AND c.created_at < ?
        GROUP BY d.department, slot`,
      [from, now, from, to],
    );
    return rows.map((r) => ({
      department: r.department,
      slot: Number(r.slot),
      volume: Number(r.volume),
      eligible: Number(r.eligible),
      onTime: Number(r.on_time),
    }));
  }
}
