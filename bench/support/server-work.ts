import { Redis } from 'ioredis';
import type { BenchDb } from './databases';

/** What MariaDB and Redis did per accepted case: counts of work, not time, so CPU steal leaves them alone. */
export interface ServerWork {
  /** Statements MariaDB ran (`Questions`: each statement of a multi-statement packet counts). */
  statements: number;
  /** InnoDB fsyncs (redo log and data files): durable commits, after group commit merged what it could. */
  fsyncs: number;
  /** Rows inserted, updated or deleted. */
  rowsWritten: number;
  /** Redis commands, including those run inside Lua scripts (BullMQ's and the breaker's). */
  redisCommands: number;
  /** Lua script calls (EVALSHA / EVAL): BullMQ's add, move-to-active, move-to-finished, the breaker. */
  redisScripts: number;
}

// Rows read are left out: the bench's own drain checks (a COUNT over the deliveries) would dominate.
const MARIADB_COUNTERS = [
  'Questions',
  'Innodb_data_fsyncs',
  'Handler_write',
  'Handler_update',
  'Handler_delete',
];

type Counters = Record<string, number>;

/** Server-wide counters: the bench's servers serve one pipeline at a time, so the difference is its own. */
async function read(db: BenchDb, redis: Redis): Promise<Counters> {
  const rows = await db.rows<{ Variable_name: string; Value: string }>(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${MARIADB_COUNTERS.map(() => '?').join(', ')})`,
    MARIADB_COUNTERS,
  );
  const counters: Counters = Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match) counters[`redis_${match[1]}`] = Number(match[2]);
  }
  return counters;
}

/** Starts counting; `stop(cases)` returns the work per case since then. */
export async function serverWorkMeter(
  db: BenchDb,
  redisUrl: string,
): Promise<{ stop(cases: number): Promise<ServerWork> }> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  // Two reads back to back: their difference is what one read costs (SHOW GLOBAL STATUS fills a
  // temporary table), taken off the final difference, so only the pipeline's work is counted.
  const first = await read(db, redis);
  const before = await read(db, redis);
  return {
    async stop(cases) {
      const after = await read(db, redis);
      redis.disconnect();
      const delta = (...names: string[]) =>
        names.reduce((sum, name) => {
          const own = (before[name] ?? 0) - (first[name] ?? 0);
          return sum + (after[name] ?? 0) - (before[name] ?? 0) - own;
        }, 0) / Math.max(1, cases);
      const redisNames = Object.keys(after).filter(
        (name) => name.startsWith('redis_') && name !== 'redis_info',
      );
      return {
        statements: delta('Questions'),
        fsyncs: delta('Innodb_data_fsyncs'),
        rowsWritten: delta('Handler_write', 'Handler_update', 'Handler_delete'),
        redisCommands: delta(...redisNames),
        redisScripts: delta('redis_evalsha', 'redis_eval'),
      };
    },
  };
}

export function describeServerWork(work: ServerWork): string {
  const f = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(2));
  return (
    `MariaDB ${f(work.statements)} statements, ${f(work.fsyncs)} fsyncs, ` +
    `${f(work.rowsWritten)} rows written; ` +
    `Redis ${f(work.redisCommands)} commands (${f(work.redisScripts)} scripts) per case`
  );
}
