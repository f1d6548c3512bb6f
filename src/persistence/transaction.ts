import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Runs `work` in one transaction on one connection; rolls back on any error. READ COMMITTED where a
 * plain read follows a lock wait and must see what the lock holder committed (see SqlPackets).
 */
export async function inTransaction<T>(
  db: DataSource,
  work: (runner: QueryRunner) => Promise<T>,
  isolation?: 'READ COMMITTED',
): Promise<T> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction(isolation);
    const result = await work(runner);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

/** mysql2's answer to INSERT/UPDATE/DELETE. */
export interface WriteResult {
  affectedRows: number;
  insertId: number;
}

/** QueryRunner.query is untyped; this names the row shape a SELECT returns. */
export async function rows<T>(runner: QueryRunner, sql: string, params: unknown[] = []): Promise<T> {
  return (await runner.query(sql, params)) as T;
}
