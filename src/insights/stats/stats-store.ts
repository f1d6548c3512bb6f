import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TimeRange } from './stats-days';
import type { StatsGrouping, StatsQuery } from './stats-query';
import { bucket, PERCENTILES, RANKED } from './stats-ranking';
import {
  codeNames,
  DELIVERIES,
  groupKey,
  hashedKey,
  unitColumns,
  type CodeNames,
  type Table,
} from './stats-sql';

export interface StatusCount {
  status: string;
  count: number;
  /** With a due time, and final/completed or already past it. */
  eligible: number;
  onTime: number;
}

export interface DurationSummary {
  /** How many have the end time (delivered / final). */
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

/** What the counted unit (deliveries for `department`, cases otherwise) says per group. */
export interface OutcomeRow {
  key: string;
  statuses: StatusCount[];
  toFinal: DurationSummary;
}

export interface DeliveryRow {
  key: string;
  toDelivery: DurationSummary;
  deadLettered: number;
}

export type Row = Record<string, string | number | null>;

/** A hashed key the names do not cover (a code that appeared meanwhile): redo it keyed by the codes. */
export class UnnamedKey extends Error {}

/**
 * GET /stats in two statements over covering indexes (ix_cases_stats, ix_deliveries_stats), each one
 * scan of the range:
 * - outcomes: counts per status, on-time figures and the percentiles of time to the final result,
 *   over the counted unit;
 * - deliveries: the percentiles of time to the department's receipt, and dead letters.
 * Percentiles come from a histogram of durations truncated to 3 significant digits, ranked with a
 * window function: Node receives one row per group and status, never a row per case. The temporary
 * tables hold integers only (CRC32 of codes, county and day numbers): they group faster and stay in
 * memory; the codes are named from a DISTINCT over an index (a loose index scan, ~1 ms).
 */
@Injectable()
export class StatsStore {
  constructor(private readonly db: DataSource) {}

  /** `ranges`: the parts of [q.from, q.to) to read (the roll-ups answer the rest); default all of it. */
  async outcomes(q: StatsQuery, ranges: readonly TimeRange[] = [q]): Promise<OutcomeRow[]> {
    return this.withExactFallback((exact) => this.outcomesBy(q, ranges, exact));
  }

  async deliveries(q: StatsQuery, ranges: readonly TimeRange[] = [q]): Promise<DeliveryRow[]> {
    return this.withExactFallback((exact) => this.deliveriesBy(q, ranges, exact));
  }

  private async outcomesBy(
    q: StatsQuery,
    ranges: readonly TimeRange[],
    exact: boolean,
  ): Promise<OutcomeRow[]> {
    const { table: t, status, final, due } = unitColumns(q.groupBy);
    const [groupNames, statusNames] = exact
      ? [undefined, undefined]
      : await Promise.all([this.groupNames(q.groupBy), this.names(`SELECT DISTINCT status FROM ${t.from}`)]);
    const key = groupKey(q.groupBy, t, groupNames);
    const statusKey = hashedKey(status, statusNames);
    const { where, params } = liveWhere(ranges, t, q.source);
    const rows = await this.db.query<Row[]>(
      `WITH h AS (
         SELECT ${key.id} AS gk, ${statusKey.id} AS sk, ${bucket(t.created, final)} AS b, COUNT(*) AS n,
           SUM(${due} IS NOT NULL AND (${final} IS NOT NULL OR ${due} < ?)) AS eligible,
           SUM(${final} IS NOT NULL AND ${final} <= ${due}) AS on_time
         FROM ${t.from} WHERE ${where} GROUP BY gk, sk, b
       ), ${RANKED}
       SELECT gk, sk, SUM(n) AS n, SUM(eligible) AS eligible, SUM(on_time) AS on_time, MAX(total) AS total,
         ${PERCENTILES}
       FROM c GROUP BY gk, sk`,
      [q.now, ...params],
    );
    const groups = new Map<string, OutcomeRow>();
    for (const row of rows) {
      const label = name(key.label, row.gk);
      let group = groups.get(label);
      if (!group) {
        const toFinal = { count: Number(row.total ?? 0), medianSeconds: null, p90Seconds: null };
        group = { key: label, statuses: [], toFinal };
        groups.set(label, group);
      }
      // The percentile buckets are on the one status row where the running count crosses the rank.
      if (row.p50 !== null) group.toFinal.medianSeconds = Number(row.p50);
      if (row.p90 !== null) group.toFinal.p90Seconds = Number(row.p90);
      group.statuses.push({
        status: name(statusKey.label, row.sk),
        count: Number(row.n),
        eligible: Number(row.eligible ?? 0),
        onTime: Number(row.on_time ?? 0),
      });
    }
    return [...groups.values()];
  }

  private async deliveriesBy(
    q: StatsQuery,
    ranges: readonly TimeRange[],
    exact: boolean,
  ): Promise<DeliveryRow[]> {
    const t = DELIVERIES;
    const key = groupKey(q.groupBy, t, exact ? undefined : await this.groupNames(q.groupBy));
    const { where, params } = liveWhere(ranges, t, q.source);
    const rows = await this.db.query<Row[]>(
      `WITH h AS (
         SELECT ${key.id} AS gk, ${bucket('d.created_at', 'd.delivered_at')} AS b,
           COUNT(*) AS n, SUM(d.status = 'DEAD_LETTERED') AS dead
         FROM ${t.from} WHERE ${where} GROUP BY gk, b
       ), ${RANKED}
       SELECT gk, SUM(dead) AS dead, MAX(total) AS total, ${PERCENTILES}
       FROM c GROUP BY gk`,
      params,
    );
    // A key is NULL only for deliveries written without their case's attributes (not by intake).
    return rows
      .filter((row) => row.gk !== null)
      .map((row) => ({
        key: name(key.label, row.gk),
        toDelivery: {
          count: Number(row.total ?? 0),
          medianSeconds: row.p50 === null ? null : Number(row.p50),
          p90Seconds: row.p90 === null ? null : Number(row.p90),
        },
        deadLettered: Number(row.dead ?? 0),
      }));
  }

  /** The codes a hashed grouping can take (service codes are the same on cases and deliveries). */
  private async groupNames(groupBy: StatsGrouping): Promise<CodeNames> {
    if (groupBy === 'department') return this.names('SELECT DISTINCT department FROM deliveries d');
    if (groupBy === 'service') return this.names('SELECT DISTINCT service_code FROM cases c');
    return new Map();
  }

  private async names(sql: string): Promise<CodeNames> {
    const rows = await this.db.query<Array<Record<string, string>>>(sql);
    return codeNames(rows.map((row) => Object.values(row)[0]));
  }

  private async withExactFallback<T>(run: (exact: boolean) => Promise<T>): Promise<T> {
    try {
      return await run(false);
    } catch (error) {
      if (!(error instanceof UnnamedKey)) throw error;
      return run(true);
    }
  }
}

/** Rows created in any of `ranges` (one index range each), of one source when given. */
export function liveWhere(
  ranges: readonly TimeRange[],
  t: Table,
  source: string | undefined,
): { where: string; params: unknown[] } {
  const created = ranges.map(() => `(${t.created} >= ? AND ${t.created} < ?)`).join(' OR ');
  const params: unknown[] = ranges.flatMap((r) => [r.from, r.to]);
  if (source !== undefined) params.push(source);
  return { where: `(${created})${source !== undefined ? ` AND ${t.source} = ?` : ''}`, params };
}

export function name(
  label: (value: string | number) => string | undefined,
  value: string | number | null,
): string {
  const named = value === null ? undefined : label(value);
  if (named === undefined) throw new UnnamedKey();
  return named;
}
