import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from '../../src/embedded/free-port';
import { waitFor } from './wait-for';

/** The built gateway; TONGBAN_TEST_MAIN points at another build (e.g. a private one). */
const MAIN = process.env.TONGBAN_TEST_MAIN ?? join(__dirname, '../../dist/main.js');

export interface GatewayProcessOptions {
  /** The build to run; the checkout's dist/main.js (or TONGBAN_TEST_MAIN) by default. */
  main?: string;
  role: 'api' | 'worker' | 'all';
  databaseUrl: string;
  redisUrl: string;
  configDir: string;
  queuePrefix: string;
  dataKeys: string;
  logFile: string;
  /** TONGBAN_LOG_LEVEL, `warn` by default. */
  logLevel?: string;
  env?: Record<string, string>;
}

/**
 * The built gateway as a real child process, for tests that kill and restart it and for the chaos
 * suite, which also reads its exit state and resident memory from outside.
 */
export class GatewayProcess {
  private child?: ChildProcess;
  port = 0;
  /** When it first answered /health/live. */
  readyAt?: number;
  private killed = false;

  constructor(readonly options: GatewayProcessOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get role(): string {
    return this.options.role;
  }

  /** Started and not exited (a killed process is not alive). */
  get alive(): boolean {
    const child = this.child;
    return !this.killed && child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** How the process ended, if it did on its own. */
  get exit(): string | undefined {
    const child = this.child;
    if (!child || (child.exitCode === null && child.signalCode === null)) return undefined;
    return child.signalCode ? `killed by ${child.signalCode}` : `exited with ${String(child.exitCode)}`;
  }

  async start(): Promise<void> {
    this.port = await findFreePort();
    const log = createWriteStream(this.options.logFile, { flags: 'a' });
    log.on('error', () => undefined);
    const child = spawn(process.execPath, [this.options.main ?? MAIN], {
      env: {
        ...process.env,
        TONGBAN_ROLE: this.options.role,
        TONGBAN_DATABASE_URL: this.options.databaseUrl,
        TONGBAN_REDIS_URL: this.options.redisUrl,
        TONGBAN_CONFIG_DIR: this.options.configDir,
        TONGBAN_QUEUE_PREFIX: this.options.queuePrefix,
        TONGBAN_DATA_KEYS: this.options.dataKeys,
        TONGBAN_PORT: String(this.port),
        TONGBAN_MICROSERVICE: 'off',
        TONGBAN_LOG_LEVEL: this.options.logLevel ?? 'warn',
        TONGBAN_DEMO: 'off',
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(
            `gateway (${this.options.role}) ${this.exit ?? 'exited'}; see ${this.options.logFile}`,
          );
        try {
          return (await fetch(`${this.url}/health/live`, { signal: AbortSignal.timeout(2_000) })).ok;
        } catch {
          return false;
        }
      },
      `gateway ${this.options.role} to start`,
      120_000,
      100,
    );
    this.readyAt = Date.now();
  }

  /** Resident set size from /proc (Linux), in MB. */
  rssMb(): number | undefined {
    if (!this.alive || this.pid === undefined) return undefined;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
      return Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGKILL: no shutdown hooks, in-flight attempts cut off mid-call. */
  kill(): void {
    this.killed = true;
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    }
  }
}
