import { Queue } from 'bullmq';
import { EmbeddedRedis } from '../../src/embedded/embedded-redis';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { TcpFaultProxy } from '../../src/testkit/tcp-fault-proxy';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attemptsOf, deliveriesOf } from '../support/delivery-probe';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import { ADMIN_KEY, PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

const civilCase = () =>
  sampleCase({ serviceCode: 'CIVIL-DIBAO', form: { householdSize: 2, monthlyIncomeYuan: '800.50' } });

async function submitMany(gw: TestGateway, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body: civilCase() });
    expect(res.status).toBe(202);
    ids.push(res.body.deliveries[0].id as string);
  }
  return ids;
}

const delivered = async (gw: TestGateway, ids: string[]) =>
  (await deliveriesOf(gw, `status = 'DELIVERED' AND id IN (${ids.map(() => '?').join(',')})`, ids)).length;

describe('a department down for a while, behind a TCP fault proxy', () => {
  const civil = new CivilSimulator();
  let proxy: TcpFaultProxy;
  let gw: TestGateway;
  let config: { dir: string; dispose(): void };

  beforeAll(async () => {
    const url = new URL(await civil.start());
    proxy = new TcpFaultProxy('127.0.0.1', Number(url.port));
    const port = await proxy.start();
    config = restDepartmentsConfig([
      {
        code: 'CIVIL',
        baseUrl: `http://127.0.0.1:${port}`,
        delivery: `
  concurrency: 4
  timeoutMs: 800
  retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 100 }
  circuitBreaker: { failureThreshold: 3, cooldownMs: 1500, maxCooldownMs: 1500 }`,
      },
    ]);
    gw = await startTestGateway({ configDir: config.dir });
  });
  afterAll(async () => {
    await gw.close();
    await proxy.stop();
    await civil.stop();
    config.dispose();
  });

  it('opens the circuit, pauses the queue without burning attempts, and delivers everything once after recovery', async () => {
    await proxy.setMode('refuse');
    const ids = await submitMany(gw, 12);
    const queue = new Queue('delivery.CIVIL', { connection: gw.redis, prefix: gw.runtime.env.queuePrefix });
    await waitFor(async () => await queue.isPaused(), 'the queue to pause');
    const departments = await call(gw.url, 'GET', '/api/v1/departments', { key: ADMIN_KEY });
    expect(departments.body[0].circuit.state).toBe('OPEN');

    // While open (probes keep failing), attempts stop growing.
    await new Promise((r) => setTimeout(r, 500));
    const attemptsThen = (await deliveriesOf(gw)).reduce((n, d) => n + d.attempts, 0);
    await new Promise((r) => setTimeout(r, 2_500));
    const attemptsLater = (await deliveriesOf(gw)).reduce((n, d) => n + d.attempts, 0);
    expect(attemptsLater).toBe(attemptsThen);
    expect(attemptsThen).toBeLessThan(12 * 3);

    await proxy.setMode('pass');
    await waitFor(async () => (await delivered(gw, ids)) === 12, 'every delivery after recovery', 30_000);
    expect(civil.stats()).toMatchObject({
      casesCreated: 12,
      uniqueIdempotencyKeys: 12,
      duplicatesApplied: 0,
    });
    expect(await queue.isPaused()).toBe(false);
    expect((await call(gw.url, 'GET', '/api/v1/departments', { key: ADMIN_KEY })).body[0].circuit.state).toBe(
      'CLOSED',
    );
    await queue.close();
  });

  it('treats a black-holed connection as an unknown outcome and still applies each case once', async () => {
    civil.reset();
    await proxy.setMode('blackhole');
    const ids = await submitMany(gw, 3);
    await waitFor(
      async () => (await deliveriesOf(gw, `attempts > 0 AND id IN (?, ?, ?)`, ids)).length === 3,
      'attempts',
    );
    await proxy.setMode('pass');
    await waitFor(async () => (await delivered(gw, ids)) === 3, 'delivery after the black hole', 30_000);
    expect(civil.stats()).toMatchObject({ casesCreated: 3, duplicatesApplied: 0 });
  });
});

describe('maintenance window', () => {
  const civil = new CivilSimulator();
  let gw: TestGateway;
  let config: { dir: string; dispose(): void };

  beforeAll(async () => {
    const url = await civil.start();
    // A window that started this minute (UTC) and ends ten seconds from now (room for a slow start).
    const now = new Date();
    const started = new Date(now);
    started.setUTCSeconds(0, 0);
    const durationMinutes = (now.getTime() - started.getTime() + 10_000) / 60_000;
    config = restDepartmentsConfig([
      {
        code: 'CIVIL',
        baseUrl: url,
        timeZone: 'UTC',
        calendar: `\n  maintenanceWindows: [{ cron: '${started.getUTCMinutes()} ${started.getUTCHours()} * * *', durationMinutes: ${durationMinutes} }]`,
      },
    ]);
    gw = await startTestGateway({ configDir: config.dir });
  });
  afterAll(async () => {
    await gw.close();
    await civil.stop();
    config.dispose();
  });

  it('sends nothing inside the window and everything after it, spending no attempts while closed', async () => {
    const ids = await submitMany(gw, 5);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(civil.stats().received).toBe(0);
    expect((await deliveriesOf(gw)).every((d) => d.attempts === 0 && d.status === 'PENDING')).toBe(true);
    await waitFor(async () => (await delivered(gw, ids)) === 5, 'delivery after the window', 20_000);
    expect((await deliveriesOf(gw)).every((d) => d.attempts === 1)).toBe(true);
  });
});

describe('evidence chain', () => {
  const civil = new CivilSimulator();
  let gw: TestGateway;
  let config: { dir: string; dispose(): void };

  beforeAll(async () => {
    config = restDepartmentsConfig([{ code: 'CIVIL', baseUrl: await civil.start() }]);
    gw = await startTestGateway({ configDir: config.dir });
  });
  afterAll(async () => {
    await gw.close();
    await civil.stop();
    config.dispose();
  });

  it('verifies an untouched chain and detects an altered record', async () => {
    civil.setFault({ mode: 'flaky', count: 2 });
    const [id] = await submitMany(gw, 1);
    await waitFor(async () => (await delivered(gw, [id])) === 1, 'delivery');
    expect(await attemptsOf(gw, id)).toHaveLength(3);
    const good = await call(gw.url, 'GET', `/api/v1/deliveries/${id}/evidence`, { key: ADMIN_KEY });
    expect(good.body).toMatchObject({ valid: true, algorithm: 'SHA-256' });
    expect(good.body.records).toHaveLength(3);
    expect(good.body.records[2].sentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(good.body.records[1].prevHash).toBe(good.body.records[0].recordHash);
    // The stored bytes are hashed, never kept in clear.
    expect(JSON.stringify(good.body)).not.toContain('11010519491231002X');

    await gw.db.query(
      "UPDATE delivery_attempts SET outcome = 'delivered' WHERE delivery_id = ? AND attempt = 2",
      [id],
    );
    const tampered = await call(gw.url, 'GET', `/api/v1/deliveries/${id}/evidence`, { key: ADMIN_KEY });
    expect(tampered.body).toMatchObject({ valid: false, brokenAt: 2 });
  });
});

describe('Redis FLUSHALL mid-run', () => {
  const civil = new CivilSimulator();
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-flush-'));
  const redis = new EmbeddedRedis({ dataDir });
  let gw: TestGateway;
  let config: { dir: string; dispose(): void };

  beforeAll(async () => {
    await redis.start();
    config = restDepartmentsConfig([{ code: 'CIVIL', baseUrl: await civil.start() }]);
    gw = await startTestGateway({
      configDir: config.dir,
      redisUrl: redis.url,
      env: { TONGBAN_RECONCILE_INTERVAL_MS: '500', TONGBAN_RECONCILE_GRACE_MS: '1000' },
    });
  });
  afterAll(async () => {
    await gw.close();
    await civil.stop();
    await redis.stop();
    config.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('puts every undelivered delivery back on its queue and delivers it', async () => {
    civil.setFault({ mode: 'down' });
    const ids = await submitMany(gw, 20);
    await waitFor(async () => (await deliveriesOf(gw)).some((d) => d.attempts > 0), 'first attempts');
    await gw.redis.flushall();
    civil.setFault({ mode: 'none' });
    await waitFor(async () => (await delivered(gw, ids)) === 20, 'every delivery after FLUSHALL', 60_000);
    expect(civil.stats()).toMatchObject({ casesCreated: 20, duplicatesApplied: 0 });
  });
});
