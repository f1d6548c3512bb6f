import { DateTime } from 'luxon';
import { ProblemException, type FieldError } from '../../common/problem/problem';
import type { ApiClient } from '../../gateway/auth/api-client';

export const STATS_GROUPINGS = ['department', 'service', 'region', 'day'] as const;
export type StatsGrouping = (typeof STATS_GROUPINGS)[number];

/** Day keys and date-only parameters are in Beijing time, where the cases are handled. */
export const STATS_TIME_ZONE = 'Asia/Shanghai';
const DEFAULT_DAYS = 30;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export interface StatsParams {
  groupBy?: string;
  from?: string;
  to?: string;
}

export interface StatsQuery {
  groupBy: StatsGrouping;
  from: Date;
  to: Date;
  /** Only this source's cases; undefined for admin (every source). */
  source?: string;
  /** On-time counts treat open cases with due_at before this as late. */
  now: Date;
}

/** Validates the parameters, listing every problem at once (400 problem+json with field pointers). */
export function parseStatsQuery(params: StatsParams, client: ApiClient, now = new Date()): StatsQuery {
  const errors: FieldError[] = [];
  const groupBy = params.groupBy as StatsGrouping;
  if (params.groupBy === undefined || params.groupBy === '')
    errors.push({ pointer: '/groupBy', reason: `is required: one of ${STATS_GROUPINGS.join(', ')}` });
  else if (!STATS_GROUPINGS.includes(groupBy))
    errors.push({ pointer: '/groupBy', reason: `must be one of ${STATS_GROUPINGS.join(', ')}` });
  const to = parseInstant(params.to, '/to', errors) ?? now;
  const from =
    parseInstant(params.from, '/from', errors) ?? new Date(to.getTime() - DEFAULT_DAYS * 86_400_000);
  if (errors.length === 0 && from >= to) errors.push({ pointer: '/to', reason: 'must be after from' });
  if (errors.length > 0) throw ProblemException.invalid(errors, 'The statistics parameters are not valid.');
  return { groupBy, from, to, source: client.scopes.has('admin') ? undefined : client.source, now };
}

/** An ISO 8601 date-time, or a date (midnight Beijing time). */
function parseInstant(value: string | undefined, pointer: string, errors: FieldError[]): Date | undefined {
  if (value === undefined) return undefined;
  if (DATE_ONLY.test(value)) {
    const day = DateTime.fromISO(value, { zone: STATS_TIME_ZONE });
    if (day.isValid) return day.toJSDate();
  } else {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms) && /^\d{4}-\d{2}-\d{2}T/.test(value)) return new Date(ms);
  }
  errors.push({ pointer, reason: 'must be an ISO 8601 date-time (or a date, Beijing time)' });
  return undefined;
}
