import { createServer, type Server } from 'node:http';
import { AlertMonitor } from '../../src/alerting/alert-monitor';
import type { AlertEvent } from '../../src/alerting/alert';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { deliveriesOf } from '../support/delivery-probe';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import { ADMIN_KEY, PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

/** Failure-rate and dead-letter alerts: raised once per incident (log + webhook), cleared on recovery. */
describe('alerts', () => {
  const civil = new CivilSimulator();
  const received: AlertEvent[] = [];
  let webhook: Server;
  let gw: TestGateway;
  let config: { dir: string; dispose(): void };

  beforeAll(async () => {
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as AlertEvent);
        res.end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const { port } = webhook.address() as { port: number };
    config = restDepartmentsConfig([
      {
        code: 'CIVIL',
        baseUrl: await civil.start(),
        delivery: `
  concurrency: 4
  timeoutMs: 1500
  retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 50 }
  circuitBreaker: { failureThreshold: 100, cooldownMs: 400, maxCooldownMs: 800 }
  alerts: { failureRate: 0.5, minAttempts: 5, windowMinutes: 5, deadLetters: 2 }`,
      },
    ]);
    gw = await startTestGateway({
      configDir: config.dir,
      env: {
        TONGBAN_ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/alerts`,
        TONGBAN_ALERT_INTERVAL_MS: '3600000',
      },
    });
  });
  afterAll(async () => {
    await gw.close();
    await civil.stop();
    webhook.close();
    config.dispose();
  });

  it('raises each alert once during an incident and resolves it after recovery', async () => {
    civil.setFault({ mode: 'always-failing' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(gw.url, 'POST', '/api/v1/cases', {
        key: PLATFORM_KEY,
        body: sampleCase({
          serviceCode: 'CIVIL-DIBAO',
          form: { householdSize: 2, monthlyIncomeYuan: '800.50' },
        }),
      });
      ids.push(res.body.deliveries[0].id as string);
    }
    await waitFor(
      async () => (await deliveriesOf(gw, "status = 'DEAD_LETTERED'")).length === 3,
      'dead letters',
    );

    const monitor = gw.app.get(AlertMonitor);
    const first = await monitor.runOnce();
    expect(first.map((e) => `${e.kind}:${e.state}`).sort()).toEqual([
      'dead-letters:raised',
      'failure-rate:raised',
    ]);
    expect(await monitor.runOnce()).toEqual([]);
    expect(received.map((e) => `${e.kind}:${e.state}`).sort()).toEqual([
      'dead-letters:raised',
      'failure-rate:raised',
    ]);
    expect(received.find((e) => e.kind === 'failure-rate')).toMatchObject({
      department: 'CIVIL',
      value: 1,
      threshold: 0.5,
      summary: 'CIVIL: 9 of 9 attempts failed in the last 5 min',
    });

    civil.setFault({ mode: 'none' });
    for (const id of ids)
      expect((await call(gw.url, 'POST', `/api/v1/deliveries/${id}/replay`, { key: ADMIN_KEY })).status).toBe(
        202,
      );
    await waitFor(
      async () => (await deliveriesOf(gw, "status = 'DELIVERED'")).length === 3,
      'replayed deliveries',
    );
    // Successful attempts bring the failure rate under the threshold; the dead letters are gone.
    const later = new Date(Date.now() + 4.9 * 60_000);
    const resolved = await monitor.runOnce(later);
    expect(resolved.map((e) => `${e.kind}:${e.state}`)).toEqual(['dead-letters:resolved']);
    expect(received.filter((e) => e.state === 'raised')).toHaveLength(2);
    // 9 failures of 12 attempts are still inside the window; once they all fall out of it, resolved.
    const afterWindow = await monitor.runOnce(new Date(Date.now() + 5.5 * 60_000));
    expect(afterWindow).toMatchObject([
      {
        kind: 'failure-rate',
        state: 'resolved',
        value: 0,
        summary: 'CIVIL: 0 of 0 attempts failed in the last 5 min',
      },
    ]);
  });
});
