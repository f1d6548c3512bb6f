import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchDb } from './databases';
import { closedLoop, type LoadResult, type LoadTarget } from './load-generator';
import type { Progress } from './progress';

/** How to count a pipeline's deliveries in its own tables. */
export interface DeliveryTable {
  /** `COUNT(*) AS n` of rows not delivered yet (any run). */
  undeliveredSql: string;
  /**
   * `COUNT(*) AS n` of the rows of cases whose externalId is LIKE ? (this run's) delivered in
   * [?, ?): leftovers of an earlier phase are not counted.
   */
  deliveredSql: string;
}

export interface EndToEndResult {
  load: LoadResult;
  /** Rows that became delivered inside the load's measured window, per second. */
  deliveredPerSecond: number;
  deliveredInWindow: number;
  /** Accepted but not yet delivered when the load stopped (the backlog the window built). */
  backlogAtEnd: number;
  /** Seconds after the load stopped until every accepted case was delivered (NaN if it did not drain). */
  drainSeconds: number;
}

/** Seconds until no row is waiting for delivery; NaN (and a progress line) after the timeout. */
export async function waitDrained(
  db: BenchDb,
  rows: DeliveryTable,
  timeoutMs: number,
  progress: Progress,
): Promise<number> {
  const started = Date.now();
  let lastReport = started;
  for (;;) {
    const remaining = await db.count(rows.undeliveredSql);
    if (remaining === 0) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) {
      progress.line(`    ${remaining} rows still undelivered after ${timeoutMs / 1000} s of draining`);
      return Number.NaN;
    }
    if (Date.now() - lastReport > 10_000) {
      progress.line(`    draining: ${remaining} rows not delivered yet`);
      lastReport = Date.now();
    }
    await sleep(250);
  }
}

/**
 * Closed-loop intake for warm-up + window, then waits until every row is delivered and counts the
 * rows whose delivered-at falls inside the window: the rate deliveries became DELIVERED at, while
 * intake was running at full speed next to them.
 */
export async function measureEndToEnd(
  target: LoadTarget,
  options: {
    db: BenchDb;
    rows: DeliveryTable;
    /** The externalId prefix of this run's cases. */
    prefix: string;
    concurrency: number;
    warmupMs: number;
    durationMs: number;
    drainTimeoutMs: number;
    progress: Progress;
  },
): Promise<EndToEndResult> {
  const { db, rows } = options;
  const load = await closedLoop(target, options);
  const backlogAtEnd = await db.count(rows.undeliveredSql);
  const drainSeconds = await waitDrained(db, rows, options.drainTimeoutMs, options.progress);
  const deliveredInWindow = await db.count(rows.deliveredSql, [
    `${options.prefix}-%`,
    new Date(load.windowStart),
    new Date(load.windowEnd),
  ]);
  return {
    load,
    deliveredInWindow,
    deliveredPerSecond: deliveredInWindow / ((load.windowEnd - load.windowStart) / 1000),
    backlogAtEnd,
    drainSeconds,
  };
}
