import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';

/** The server URL with another database name. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops and creates a database of the bench's private MariaDB (every scenario gets a clean one). */
export async function recreateDatabase(serverUrl: string, database: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(database)) throw new Error(`bad database name ${database}`);
  const connection = await createConnection({ uri: serverUrl });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.query(
      `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
  return databaseUrl(serverUrl, database);
}

export async function ensureDatabase(serverUrl: string, database: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(database)) throw new Error(`bad database name ${database}`);
  const connection = await createConnection({ uri: serverUrl });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
  return databaseUrl(serverUrl, database);
}

/** One connection for the bench's own counting queries; dates in UTC like the gateway's (timezone 'Z'). */
export class BenchDb {
  private constructor(private readonly connection: Connection) {}

  static async open(url: string): Promise<BenchDb> {
    return new BenchDb(await createConnection({ uri: url, timezone: 'Z' }));
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const [rows] = await this.connection.query<RowDataPacket[]>(sql, params);
    return Number(rows[0]?.n ?? 0);
  }

  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await this.connection.query<RowDataPacket[]>(sql, params);
    return rows as T[];
  }

  /** Whether a table exists (the gateway creates its tables on start). */
  async hasTable(table: string): Promise<boolean> {
    return (
      (await this.count(
        'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
        [table],
      )) > 0
    );
  }

  close(): Promise<void> {
    return this.connection.end();
  }
}
