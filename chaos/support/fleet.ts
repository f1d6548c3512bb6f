import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createConnection, createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { GatewayProcess } from '../../test/support/gateway-process';
import type { ChaosContext } from './scenario';

export interface FleetOptions {
  configDir: string;
  /** Extra gateway environment for every process of the fleet. */
  env?: Record<string, string>;
}

/**
 * One scenario's gateway processes: a fresh database on the suite's MariaDB and a queue prefix of
 * its own in the suite's Redis, api and worker processes started from the same build.
 */
export class Fleet {
  readonly prefix: string;
  readonly database: string;
  readonly databaseUrl: string;
  readonly processes: GatewayProcess[] = [];
  private pool?: Pool;
  private serial = 0;

  constructor(
    private readonly ctx: ChaosContext,
    readonly name: string,
    private readonly options: FleetOptions,
  ) {
    const tag = `${name.replace(/[^a-z0-9]/g, '')}${randomBytes(2).toString('hex')}`;
    this.prefix = `chaos-${tag}`;
    this.database = `chaos_${tag}`;
    const url = new URL(ctx.services.databaseUrl);
    url.pathname = `/${this.database}`;
    this.databaseUrl = url.toString();
    ctx.fleets.push(this);
  }

  get redisUrl(): string {
    return this.ctx.services.redisUrl;
  }

  get api(): GatewayProcess {
    const api = this.processes.find((p) => p.role === 'api' && p.alive);
    if (!api) throw new Error(`fleet ${this.name} has no running api process`);
    return api;
  }

  /** Running workers, oldest first (a worker still starting counts once it answers). */
  get workers(): GatewayProcess[] {
    return this.processes.filter((p) => p.role === 'worker' && p.alive && p.readyAt !== undefined);
  }

  get logFiles(): string[] {
    return [...new Set(this.processes.map((p) => p.options.logFile))];
  }

  async createDatabase(): Promise<void> {
    const admin = await createConnection(this.ctx.services.databaseUrl);
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${this.database}\` CHARACTER SET utf8mb4`);
    await admin.end();
  }

  /** A process that is started (and waited for) but not yet running is returned too. */
  async start(role: 'api' | 'worker', env: Record<string, string> = {}): Promise<GatewayProcess> {
    const index = this.serial++;
    const p = new GatewayProcess({
      main: this.ctx.main,
      role,
      databaseUrl: this.databaseUrl,
      redisUrl: this.ctx.services.redisUrl,
      configDir: this.options.configDir,
      queuePrefix: this.prefix,
      dataKeys: this.ctx.dataKeys,
      logFile: join(this.ctx.logDir, `${this.name}-${role}${role === 'worker' ? '' : `-${index}`}.log`),
      logLevel: this.ctx.options.logLevel,
      env: { ...this.options.env, ...env },
    });
    this.processes.push(p);
    await p.start();
    return p;
  }

  /** One api and the workers, in parallel (migrations run under a named lock, so starts take turns). */
  async startAll(workers: number, env: Record<string, string> = {}): Promise<void> {
    await this.createDatabase();
    await Promise.all([
      this.start('api', env),
      ...Array.from({ length: workers }, () => this.start('worker', env)),
    ]);
  }

  /** A pool, so queries survive a MariaDB restart. */
  get db(): Pool {
    this.pool ??= createPool({ uri: this.databaseUrl, connectionLimit: 4, timezone: 'Z' });
    return this.pool;
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await this.db.query<RowDataPacket[]>(sql, params);
    return rows as T[];
  }

  async count(table: string, where = '1=1', params: unknown[] = []): Promise<number> {
    const rows = await this.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);
    return Number(rows[0]?.n ?? 0);
  }

  /** Deliveries the department acknowledged (delivered, or moved on from there by status tracking). */
  delivered(where = '1=1', params: unknown[] = []): Promise<number> {
    return this.count('deliveries', `delivered_at IS NOT NULL AND ${where}`, params);
  }

  async statusCounts(): Promise<Record<string, number>> {
    const rows = await this.query<{ status: string; n: number }>(
      'SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status',
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.processes.filter((p) => p.role === 'worker').map((p) => p.stop()));
  }

  /** Stops the workers; the api keeps running for the personal-data scan unless `all`. */
  async stop(all = false): Promise<void> {
    await Promise.all(this.processes.filter((p) => all || p.role !== 'api').map((p) => p.stop()));
    if (all) {
      await this.pool?.end().catch(() => undefined);
      this.pool = undefined;
    }
  }
}
