import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createPool } from 'mysql2/promise';
import { EmbeddedMariaDb } from '../../src/embedded/embedded-mariadb';
import { EmbeddedRedis } from '../../src/embedded/embedded-redis';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { GatewayProcess } from '../support/gateway-process';
import { sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import { PLATFORM_KEY } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

// The short variant of `npm run chaos`'s crash storm (10,000 cases there).
const CASES = Number(process.env.TONGBAN_STORM_CASES ?? 1_200);
const STORM_ROUNDS = Number(process.env.TONGBAN_STORM_ROUNDS ?? 8);

/** Submits like a platform does: retry until the gateway answers, same externalId each time. */
async function submitUntilAccepted(api: () => GatewayProcess, body: Record<string, unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${api().url}/api/v1/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PLATFORM_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 202 || res.status === 200) return;
      if (res.status < 500) throw new Error(`rejected: ${res.status} ${await res.text()}`);
    } catch (error) {
      if ((error as Error).message.startsWith('rejected')) throw error;
    }
    await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * 2 ** Math.min(attempt, 5))));
  }
}

/**
 * Workers SIGKILLed every few seconds, Redis killed and restarted (AOF), MariaDB restarted, while
 * 2,000 deliveries flow through real gateway processes: none lost, none applied twice, none
 * dead-lettered by stalls.
 */
describe('crash storm', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-storm-'));
  const redis = new EmbeddedRedis({ dataDir });
  const mariadb = new EmbeddedMariaDb({ dataDir });
  const civil = new CivilSimulator();
  const processes: GatewayProcess[] = [];
  let config: { dir: string; dispose(): void };

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await civil.stop();
    await redis.stop();
    await mariadb.stop();
    config?.dispose();
    if (process.env.TONGBAN_KEEP_STORM_LOGS !== '1') rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses nothing and applies nothing twice', async () => {
    await Promise.all([redis.start(), mariadb.start()]);
    config = restDepartmentsConfig([
      {
        code: 'CIVIL',
        baseUrl: await civil.start(),
        delivery: `
  concurrency: 16
  timeoutMs: 2000
  retry: { attempts: 30, baseDelayMs: 50, maxDelayMs: 500 }
  circuitBreaker: { failureThreshold: 50, cooldownMs: 500, maxCooldownMs: 1000 }`,
      },
    ]);
    mkdirSync(join(dataDir, 'logs'));
    const common = {
      databaseUrl: mariadb.url,
      redisUrl: redis.url,
      configDir: config.dir,
      queuePrefix: 'storm',
      dataKeys: `k1:${randomBytes(32).toString('base64')}`,
      env: { TONGBAN_RECONCILE_INTERVAL_MS: '1000', TONGBAN_RECONCILE_GRACE_MS: '5000' },
    };
    const api = new GatewayProcess({ ...common, role: 'api', logFile: join(dataDir, 'logs', 'api.log') });
    await api.start();
    let worker = new GatewayProcess({
      ...common,
      role: 'worker',
      logFile: join(dataDir, 'logs', 'worker.log'),
    });
    await worker.start();
    processes.push(api, worker);

    let storming = true;
    const storm = (async () => {
      let round = 0;
      // A bounded storm, then the drain: on a slow machine a worker that is killed 2.5 s after it is
      // ready does little, so an endless storm would measure the machine, not the gateway.
      while (storming && round < STORM_ROUNDS) {
        await new Promise((r) => setTimeout(r, 2_500));
        if (!storming) break;
        round++;
        worker.kill();
        if (round === 2) {
          await redis.kill();
          await new Promise((r) => setTimeout(r, 500));
          await redis.restart();
        }
        if (round === 4) await mariadb.restart();
        worker = new GatewayProcess({
          ...common,
          role: 'worker',
          logFile: join(dataDir, 'logs', 'worker.log'),
        });
        processes.push(worker);
        await worker.start().catch(() => undefined);
      }
      return round;
    })();

    const bodies = Array.from({ length: CASES }, () =>
      sampleCase({ serviceCode: 'CIVIL-DIBAO', form: { householdSize: 2, monthlyIncomeYuan: '800.50' } }),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < bodies.length) await submitUntilAccepted(() => api, bodies[next++]);
      }),
    );

    // A pool, so the check survives the MariaDB restart.
    const db = createPool(mariadb.url);
    const count = async (where: string) => {
      const [rows] = await db.query(`SELECT COUNT(*) AS n FROM deliveries WHERE ${where}`);
      return Number((rows as Array<{ n: number }>)[0].n);
    };
    try {
      await waitFor(
        async () => (await count("status = 'DELIVERED'").catch(() => 0)) === CASES,
        'every delivery',
        150_000,
        500,
      );
    } catch (error) {
      storming = false;
      await storm;
      const [rows] = await db.query(
        'SELECT status, COUNT(*) AS n, MAX(attempts) AS a FROM deliveries GROUP BY status',
      );
      throw new Error(`${(error as Error).message}: ${JSON.stringify(rows)}; logs in ${dataDir}/logs`);
    }
    // Every round of faults happens, however fast the cases drained (Redis killed in round 2,
    // MariaDB restarted in round 4); what was delivered stays delivered through the later rounds.
    expect(await storm).toBe(STORM_ROUNDS);
    await waitFor(
      async () => (await count("status = 'DELIVERED'").catch(() => 0)) === CASES,
      'still all delivered',
      60_000,
      500,
    );

    expect(await count('1=1')).toBe(CASES);
    expect(await count("status = 'DEAD_LETTERED'")).toBe(0);
    expect(civil.stats()).toMatchObject({
      casesCreated: CASES,
      uniqueIdempotencyKeys: CASES,
      duplicatesApplied: 0,
    });
    await db.end();
  }, 300_000);
});
