import type { TimeRange } from '../stats-days';
import { bucket } from '../stats-ranking';
import { DELIVERIES, labelKey, unitColumns, type Table } from '../stats-sql';
import { liveWhere } from '../stats-store';

/** The groupings whose groups span days: summed from daily rows. (`day` is kept as whole answers.) */
export type SummedGrouping = 'department' | 'service' | 'region';
export const SUMMED_GROUPINGS: readonly SummedGrouping[] = ['department', 'service', 'region'];

/** Scope of the rows summed over every source. */
export const EVERY_SOURCE = '*';

export interface Statement {
  sql: string;
  params: unknown[];
}

/** What a figures statement feeds: counts per status, dead letters, or one of the histograms. */
export type FiguresKind = 'statuses' | 'dead' | 'final' | 'receipt';
export const FIGURES_KINDS: readonly FiguresKind[] = ['statuses', 'dead', 'final', 'receipt'];

/**
 * The rows one kind of figure is summed from, per group and source (`src`, '' for deliveries
 * written without their case's attributes): the same statement feeds a day's roll-up and the live
 * part of a request, so both count alike. `now` decides which open ones are late (on-time figures).
 */
export function figuresStatement(
  kind: FiguresKind,
  groupBy: SummedGrouping,
  ranges: readonly TimeRange[],
  source: string | undefined,
  now: Date,
): Statement {
  const unit = unitColumns(groupBy);
  const t: Table = kind === 'statuses' || kind === 'final' ? unit.table : DELIVERIES;
  const { where, params } = liveWhere(ranges, t, source);
  const head = `SELECT ${labelKey(groupBy, t)} AS gk, IFNULL(${t.source}, '') AS src`;
  switch (kind) {
    case 'statuses':
      return {
        sql: `${head}, ${unit.status} AS st, COUNT(*) AS n,
            IFNULL(SUM(${unit.due} IS NOT NULL AND (${unit.final} IS NOT NULL OR ${unit.due} < ?)), 0) AS eligible,
            IFNULL(SUM(${unit.final} IS NOT NULL AND ${unit.final} <= ${unit.due}), 0) AS on_time
          FROM ${t.from} WHERE ${where} GROUP BY gk, src, st`,
        params: [now, ...params],
      };
    case 'dead':
      return {
        sql: `${head}, COUNT(*) AS n FROM ${t.from} WHERE ${where} AND d.status = 'DEAD_LETTERED' GROUP BY gk, src`,
        params,
      };
    case 'final':
    case 'receipt': {
      const end = kind === 'final' ? unit.final : 'd.delivered_at';
      return {
        sql: `${head}, ${bucket(t.created, end)} AS b, COUNT(*) AS n
          FROM ${t.from} WHERE ${where} AND ${end} IS NOT NULL GROUP BY gk, src, b`,
        params,
      };
    }
  }
}

/**
 * The earliest due time, at or after `builtAt`, of a case or delivery of the day still open: until
 * then the day's on-time figures (which count open ones past due as late) hold; NULL = for good.
 */
export function validUntilStatement(range: TimeRange, builtAt: Date): Statement {
  return {
    sql: `SELECT MIN(due) AS due FROM (
        SELECT MIN(c.due_at) AS due FROM cases c
        WHERE c.created_at >= ? AND c.created_at < ? AND c.completed_at IS NULL AND c.due_at >= ?
        UNION ALL
        SELECT MIN(d.due_at) FROM deliveries d
        WHERE d.created_at >= ? AND d.created_at < ? AND d.final_at IS NULL AND d.due_at >= ?
      ) x`,
    params: [range.from, range.to, builtAt, range.from, range.to, builtAt],
  };
}
