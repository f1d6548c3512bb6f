import { BreakerProbe } from '../../src/delivery/breaker-probe';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { HealthSimulator } from '../../src/simulators/rest/health.simulator';
import { attemptsOf, deliveriesOf } from '../support/delivery-probe';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import { ADMIN_KEY, PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

const civilCase = () =>
  sampleCase({ serviceCode: 'CIVIL-DIBAO', form: { householdSize: 2, monthlyIncomeYuan: '800.50' } });
const healthCase = () => sampleCase({ serviceCode: 'HEALTH-BIRTH-REG', form: { childOrder: 1 } });

/** The delivery engine against real department simulators, with real faults. */
describe('delivery engine', () => {
  const civil = new CivilSimulator();
  const health = new HealthSimulator();
  let gw: TestGateway;
  let config: { dir: string; dispose(): void };

  beforeAll(async () => {
    const civilUrl = await civil.start();
    const healthUrl = await health.start();
    config = restDepartmentsConfig([
      { code: 'CIVIL', baseUrl: civilUrl },
      { code: 'HEALTH', baseUrl: healthUrl },
    ]);
    gw = await startTestGateway({
      configDir: config.dir,
      env: { TONGBAN_RECONCILE_INTERVAL_MS: '500', TONGBAN_RECONCILE_GRACE_MS: '3000' },
    });
  });
  afterAll(async () => {
    await gw.close();
    await civil.stop();
    await health.stop();
    config.dispose();
  });
  beforeEach(async () => {
    civil.setFault({ mode: 'none' });
    health.setFault({ mode: 'none' });
    civil.reset();
    health.reset();
    await gw.redis.del(
      `${gw.runtime.env.queuePrefix}:breaker:CIVIL`,
      `${gw.runtime.env.queuePrefix}:breaker:HEALTH`,
    );
  });

  const submit = async (body: Record<string, unknown>) => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body });
    expect(res.status).toBe(202);
    return res.body as { id: string; deliveries: Array<{ id: string }> };
  };
  const statusOf = async (deliveryId: string) => (await deliveriesOf(gw, 'id = ?', [deliveryId]))[0];

  it('delivers a case: DELIVERED with the department reference, case DELIVERED, one attempt', async () => {
    const created = await submit(civilCase());
    const id = created.deliveries[0].id;
    await waitFor(async () => (await statusOf(id)).status === 'DELIVERED', 'delivery');
    const delivery = await statusOf(id);
    expect(delivery.receipt_ref).toMatch(/.+/);
    expect(await attemptsOf(gw, id)).toEqual([{ attempt: 1, outcome: 'delivered' }]);
    expect(civil.stats().uniqueIdempotencyKeys).toBe(1);
    const detail = await call(gw.url, 'GET', `/api/v1/cases/${created.id}`, { key: PLATFORM_KEY });
    expect(detail.body.status).toBe('DELIVERED');
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['CASE_RECEIVED', 'DELIVERY_DELIVERED', 'CASE_STATUS_CHANGED']),
    );
  });

  it('retries a department that answers 503 twice, then delivers once with three attempts recorded', async () => {
    civil.setFault({ mode: 'flaky', count: 2 });
    const { deliveries } = await submit(civilCase());
    const id = deliveries[0].id;
    await waitFor(async () => (await statusOf(id)).status === 'DELIVERED', 'delivery after 503s');
    expect((await attemptsOf(gw, id)).map((a) => a.outcome)).toEqual(['transient', 'transient', 'delivered']);
    expect(civil.stats()).toMatchObject({ casesCreated: 1, duplicatesApplied: 0 });
  });

  it('does not retry a permanent failure: REJECTED with the department reason', async () => {
    civil.setFault({ mode: 'reject' });
    const created = await submit(civilCase());
    const id = created.deliveries[0].id;
    await waitFor(async () => (await statusOf(id)).status === 'REJECTED', 'rejection');
    const delivery = await statusOf(id);
    expect(delivery.attempts).toBe(1);
    expect(delivery.last_error).toContain('户籍信息与身份证号不符');
    expect(await attemptsOf(gw, id)).toEqual([{ attempt: 1, outcome: 'permanent' }]);
    const detail = await call(gw.url, 'GET', `/api/v1/cases/${created.id}`, { key: PLATFORM_KEY });
    expect(detail.body.status).toBe('COMPLETED');
  });

  it('dead-letters after the retry policy, and a replay delivers it; a replay of a delivered one is refused', async () => {
    civil.setFault({ mode: 'always-failing' });
    const { deliveries } = await submit(civilCase());
    const id = deliveries[0].id;
    await waitFor(async () => (await statusOf(id)).status === 'DEAD_LETTERED', 'dead letter');
    expect((await statusOf(id)).attempts).toBe(4);
    expect(civil.stats().casesCreated).toBe(0);

    civil.setFault({ mode: 'none' });
    await gw.redis.del(`${gw.runtime.env.queuePrefix}:breaker:CIVIL`);
    await gw.app.get(BreakerProbe).runOnce();
    const replay = await call(gw.url, 'POST', `/api/v1/deliveries/${id}/replay`, { key: ADMIN_KEY });
    expect(replay.status).toBe(202);
    await waitFor(async () => (await statusOf(id)).status === 'DELIVERED', 'replayed delivery');
    expect(civil.stats().casesCreated).toBe(1);
    const again = await call(gw.url, 'POST', `/api/v1/deliveries/${id}/replay`, { key: ADMIN_KEY });
    expect(again.status).toBe(409);
    // Operator actions only (reads of personal data are audited in the same log).
    const audit = await gw.db.query<Array<{ action: string; subject: string }>>(
      "SELECT action, subject FROM audit_log WHERE action LIKE 'delivery.%'",
    );
    expect(audit).toEqual([{ action: 'delivery.replay', subject: id }]);
  });

  it('after a timeout with unknown outcome, asks the department and never applies the case twice', async () => {
    civil.setFault({ mode: 'ambiguous', delayMs: 2_500, count: 1 });
    const { deliveries } = await submit(civilCase());
    const id = deliveries[0].id;
    await waitFor(
      async () => (await statusOf(id)).status === 'DELIVERED',
      'delivery after ambiguous timeout',
    );
    expect(civil.stats()).toMatchObject({ casesCreated: 1, duplicatesApplied: 0, uniqueIdempotencyKeys: 1 });
    const timeline = await gw.db.query<Array<{ type: string }>>(
      'SELECT type FROM case_events WHERE delivery_id = ? ORDER BY id',
      [id],
    );
    expect(timeline.map((e) => e.type)).toContain('DELIVERY_CONFIRMED');
  });

  it('answers after the timeout on 20 % of calls (committed first): zero business duplicates', async () => {
    civil.setFault({ mode: 'ambiguous', delayMs: 2_500, failureRatio: 0.2, seed: 7 });
    const created = await Promise.all(Array.from({ length: 40 }, () => submit(civilCase())));
    const ids = created.map((c) => c.deliveries[0].id);
    await waitFor(
      async () =>
        (await deliveriesOf(gw, `status = 'DELIVERED' AND id IN (${ids.map(() => '?').join(',')})`, ids))
          .length === 40,
      'every delivery despite ambiguous timeouts',
      40_000,
    );
    expect(civil.stats()).toMatchObject({
      casesCreated: 40,
      uniqueIdempotencyKeys: 40,
      duplicatesApplied: 0,
    });
    const ambiguous = await gw.db.query<Array<{ n: string }>>(
      `SELECT COUNT(*) AS n FROM delivery_attempts WHERE outcome = 'transient' AND delivery_id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    expect(Number(ambiguous[0].n)).toBeGreaterThan(0);
  });

  it('keeps one failing department from slowing the others', async () => {
    civil.setFault({ mode: 'down' });
    const civilCases = await Promise.all(Array.from({ length: 10 }, () => submit(civilCase())));
    const healthCases = await Promise.all(Array.from({ length: 30 }, () => submit(healthCase())));
    const healthIds = healthCases.map((c) => c.deliveries[0].id);
    await waitFor(
      async () =>
        (
          await deliveriesOf(
            gw,
            `id IN (${healthIds.map(() => '?').join(',')}) AND status = 'DELIVERED'`,
            healthIds,
          )
        ).length === 30,
      'every HEALTH delivery while CIVIL is down',
      15_000,
    );
    expect(health.stats().casesCreated).toBe(30);
    const civilIds = civilCases.map((c) => c.deliveries[0].id);
    const civilRows = await deliveriesOf(gw, `id IN (${civilIds.map(() => '?').join(',')})`, civilIds);
    expect(civilRows.every((r) => r.status !== 'DELIVERED')).toBe(true);
    civil.setFault({ mode: 'none' });
    await waitFor(
      async () =>
        (
          await deliveriesOf(
            gw,
            `id IN (${civilIds.map(() => '?').join(',')}) AND status = 'DELIVERED'`,
            civilIds,
          )
        ).length === 10,
      'CIVIL deliveries after recovery',
      30_000,
    );
  });
});
