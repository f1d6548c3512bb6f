import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../../src/embedded/free-port';
import { REPO_ROOT } from './bench-options';
import { BenchChild, spawnNode } from './child-process';

export type Role = 'api' | 'worker' | 'all';

export interface FleetOptions {
  /** Label for logs and progress. */
  name: string;
  /** The built entry (dist/main.js). */
  main: string;
  roles: Role[];
  databaseUrl: string;
  redisUrl: string;
  configDir: string;
  queuePrefix: string;
  dataKeys: string;
  dataDir: string;
  logDir: string;
}

/** Real gateway processes from the build, started with the environment an operator would set. */
export class GatewayFleet {
  private constructor(readonly members: Array<{ role: Role; url: string; child: BenchChild }>) {}

  static async start(options: FleetOptions): Promise<GatewayFleet> {
    const members = await Promise.all(
      options.roles.map(async (role, i) => {
        const port = await findFreePort();
        const child = spawnNode(
          `${options.name} ${role} #${i + 1}`,
          options.main,
          {
            TONGBAN_ROLE: role,
            TONGBAN_DATABASE_URL: options.databaseUrl,
            TONGBAN_REDIS_URL: options.redisUrl,
            TONGBAN_CONFIG_DIR: options.configDir,
            TONGBAN_QUEUE_PREFIX: options.queuePrefix,
            TONGBAN_DATA_KEYS: options.dataKeys,
            TONGBAN_DATA_DIR: options.dataDir,
            TONGBAN_PORT: String(port),
            TONGBAN_HOST: '127.0.0.1',
            TONGBAN_DEMO: 'off',
            TONGBAN_MICROSERVICE: 'off',
            TONGBAN_LOG_LEVEL: 'warn',
            // A private build outside the checkout (TONGBAN_BENCH_DIST) still finds the dependencies.
            NODE_PATH: join(REPO_ROOT, 'node_modules'),
          },
          join(options.logDir, `${options.name}-${role}-${i + 1}.log`),
        );
        return { role, url: `http://127.0.0.1:${port}`, child };
      }),
    );
    const fleet = new GatewayFleet(members);
    try {
      await Promise.all(members.map((m) => waitLive(m.url, m.child)));
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  get children(): BenchChild[] {
    return this.members.map((m) => m.child);
  }

  /** Base URLs of the processes that take HTTP intake. */
  get apiUrls(): string[] {
    return this.members.filter((m) => m.role !== 'worker').map((m) => m.url);
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.child.stop(15_000)));
  }
}

async function waitLive(url: string, child: BenchChild, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`${child.name} exited at start; see ${child.logFile}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${child.name} not ready after ${timeoutMs} ms; see ${child.logFile}`);
}
