import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from '../../src/embedded/free-port';
import { waitFor } from './wait-for';

/** The built gateway; TONGBAN_TEST_MAIN points at another build (e.g. a private one). */
const MAIN = process.env.TONGBAN_TEST_MAIN ?? join(__dirname, '../../dist/main.js');

export interface GatewayProcessOptions {
  role: 'api' | 'worker' | 'all';
  databaseUrl: string;
  redisUrl: string;
  configDir: string;
  queuePrefix: string;
  dataKeys: string;
  logFile: string;
  env?: Record<string, string>;
}

/** The built gateway as a real child process, for tests that kill and restart it. */
export class GatewayProcess {
  private child?: ChildProcess;
  port = 0;

  constructor(private readonly options: GatewayProcessOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.port = await findFreePort();
    const log = createWriteStream(this.options.logFile, { flags: 'a' });
    log.on('error', () => undefined);
    const child = spawn(process.execPath, [MAIN], {
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
        TONGBAN_LOG_LEVEL: 'warn',
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(
            `gateway (${this.options.role}) exited with ${child.exitCode}; see ${this.options.logFile}`,
          );
        try {
          return (await fetch(`${this.url}/health/live`)).ok;
        } catch {
          return false;
        }
      },
      `gateway ${this.options.role} to start`,
      60_000,
      100,
    );
  }

  /** SIGKILL: no shutdown hooks, in-flight attempts cut off mid-call. */
  kill(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    this.child = undefined;
  }
}
