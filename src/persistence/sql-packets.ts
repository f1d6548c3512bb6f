import { createPool, type Pool, type PoolConnection, type ResultSetHeader } from 'mysql2/promise';

/** One parameterized statement of a batch. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * Several statements of a hot path in one packet: a write transaction (intake, delivery outcomes)
 * as `START TRANSACTION; …; COMMIT`, or the reads of one page (case detail, lookup), go to MariaDB in a
 * single round trip instead of one per statement, which on small machines costs more CPU (syscalls,
 * wake-ups on both sides) and latency than the SQL itself.
 * Its own small pool, because multi-statement packets are allowed here only: every value is still
 * sent as an escaped `?` parameter, never spliced into the SQL.
 */
export class SqlPackets {
  private readonly pool: Pool;

  constructor(databaseUrl: string, connectionLimit = 8) {
    this.pool = createPool({
      uri: databaseUrl,
      connectionLimit,
      multipleStatements: true,
      // The same session settings as the TypeORM data source (src/persistence/data-source.ts).
      timezone: 'Z',
      charset: 'UTF8MB4_BIN',
      supportBigNumbers: true,
      bigNumberStrings: true,
      enableKeepAlive: true,
    });
  }

  /**
   * Runs the statements in one transaction and returns their results in order (a header for a
   * write, the rows for a read). A failing statement stops the packet there; the transaction is
   * rolled back before the error is thrown. `readCommitted`: each statement reads what is committed
   * when it runs, and an `INSERT … SELECT` reads without locking its source rows.
   */
  async transaction<R = ResultSetHeader>(
    statements: readonly Statement[],
    options: { readCommitted?: boolean } = {},
  ): Promise<R[]> {
    if (statements.length === 0) return [];
    const opening = options.readCommitted ? READ_COMMITTED_START : ['START TRANSACTION'];
    const sql = [...opening, ...statements.map((s) => s.sql), 'COMMIT'].join(';\n');
    const params = statements.flatMap((s) => s.params);
    return this.inTransaction(async (connection) => {
      const [results] = await connection.query<ResultSetHeader[]>(sql, params);
      return (results as unknown[]).slice(opening.length, -1) as R[];
    });
  }

  /**
   * A transaction over two packets: `reads` (SELECT … FOR UPDATE) first, then the writes `decide`
   * derives from their rows, with the COMMIT. Any failure rolls back. READ COMMITTED: a plain read
   * placed after the lock that guards its rows sees what the lock holder committed, where REPEATABLE
   * READ would show the snapshot of the transaction's first read, taken before the lock wait.
   */
  async readThenWrite<T>(
    reads: readonly Statement[],
    decide: (results: unknown[]) => { writes: Statement[]; result: T },
  ): Promise<T> {
    return this.inTransaction(async (connection) => {
      const [readResults] = await connection.query<ResultSetHeader[]>(
        [...READ_COMMITTED_START, ...reads.map((s) => s.sql)].join(';\n'),
        reads.flatMap((s) => s.params),
      );
      const { writes, result } = decide((readResults as unknown[]).slice(READ_COMMITTED_START.length));
      await connection.query(
        [...writes.map((s) => s.sql), 'COMMIT'].join(';\n'),
        writes.flatMap((s) => s.params),
      );
      return result;
    });
  }

  /**
   * `work` opens and commits its transaction on one pooled connection; if it fails, the transaction
   * is rolled back, and a connection that cannot say it rolled back is destroyed, not pooled.
   */
  private async inTransaction<T>(work: (connection: PoolConnection) => Promise<T>): Promise<T> {
    const connection = await this.pool.getConnection();
    let reusable = true;
    try {
      return await work(connection);
    } catch (error) {
      reusable = await rollBack(connection);
      throw error;
    } finally {
      if (reusable) connection.release();
      else connection.destroy();
    }
  }

  /** Several SELECTs in one packet (one round trip, no transaction): each answer's rows, in order. */
  async selectAll(statements: readonly Statement[]): Promise<Array<Array<Record<string, unknown>>>> {
    const [results] = await this.pool.query(
      statements.map((s) => s.sql).join(';\n'),
      statements.flatMap((s) => s.params),
    );
    return (statements.length === 1 ? [results] : results) as Array<Array<Record<string, unknown>>>;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Opens a transaction that reads what is committed when each statement runs. */
const READ_COMMITTED_START = ['SET TRANSACTION ISOLATION LEVEL READ COMMITTED', 'START TRANSACTION'];

/** False when the connection cannot say it rolled back: it must not go back to the pool. */
async function rollBack(connection: PoolConnection): Promise<boolean> {
  try {
    await connection.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}
