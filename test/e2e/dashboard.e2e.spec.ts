import { Queue } from 'bullmq';
import { DateTime } from 'luxon';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { HealthSimulator } from '../../src/simulators/rest/health.simulator';
import { deliveriesOf } from '../support/delivery-probe';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import {
  ADMIN_KEY,
  PLATFORM_KEY,
  READER_KEY,
  startTestGateway,
  type TestGateway,
} from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

const CHROMIUM = process.env.TONGBAN_CHROMIUM ?? '/usr/bin/chromium';
const ZONE = 'Asia/Shanghai';
/** What the page's elements are to evaluateAll (the tests compile without the DOM library). */
type Marks = Array<{ getAttribute(name: string): string | null }>;
const basic = (key: string) => `Basic ${Buffer.from(`ops:${key}`).toString('base64')}`;

/** HEALTH dead-letters after two attempts and its circuit then stays open for the whole test. */
const HEALTH_DELIVERY = `
  concurrency: 1
  timeoutMs: 1500
  retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 100 }
  circuitBreaker: { failureThreshold: 2, cooldownMs: 300000, maxCooldownMs: 300000 }`;

describe('ops dashboard at /admin, in headless Chromium', () => {
  const civil = new CivilSimulator();
  const health = new HealthSimulator();
  let gw: TestGateway;
  let config: { dir: string; dispose(): void };
  let browser: Browser;
  /** The seeded cases by name: case id and (one) delivery id. */
  const seeded: Record<string, { caseId: string; deliveryId: string }> = {};

  const submit = async (name: string, body: Record<string, unknown>) => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body });
    expect(res.status).toBe(202);
    seeded[name] = { caseId: res.body.id, deliveryId: res.body.deliveries[0].id };
  };
  const statusOf = async (name: string) =>
    (await deliveriesOf(gw, 'id = ?', [seeded[name].deliveryId]))[0].status;
  /** Noon (local) `n` days ago: far from day boundaries. */
  const daysAgo = (n: number) =>
    DateTime.now().setZone(ZONE).startOf('day').minus({ days: n }).plus({ hours: 12 });
  const backdate = async (
    name: string,
    created: DateTime,
    delivery: { dueAt?: Date; finalAt?: Date } = {},
  ) => {
    const { caseId } = seeded[name];
    await gw.db.query('UPDATE cases SET created_at = ? WHERE id = ?', [created.toJSDate(), caseId]);
    await gw.db.query('UPDATE deliveries SET created_at = ?, due_at = ?, final_at = ? WHERE case_id = ?', [
      created.toJSDate(),
      delivery.dueAt ?? null,
      delivery.finalAt ?? null,
      caseId,
    ]);
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: run scripts/ensure-test-packages.sh`);
    config = restDepartmentsConfig([
      { code: 'CIVIL', baseUrl: await civil.start() },
      { code: 'HEALTH', baseUrl: await health.start(), delivery: HEALTH_DELIVERY },
    ]);
    gw = await startTestGateway({ configDir: config.dir });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });

    // Real deliveries through the simulators: 2 CIVIL and 3 HEALTH delivered, then HEALTH fails.
    const civilCase = () =>
      sampleCase({ serviceCode: 'CIVIL-DIBAO', form: { householdSize: 2, monthlyIncomeYuan: '800.50' } });
    const healthCase = () => sampleCase({ serviceCode: 'HEALTH-BIRTH-REG', form: { childOrder: 1 } });
    for (const name of ['c1', 'c2']) await submit(name, civilCase());
    for (const name of ['h1', 'h2', 'h3']) await submit(name, healthCase());
    await waitFor(
      async () =>
        (await Promise.all(['c1', 'c2', 'h1', 'h2', 'h3'].map(statusOf))).every((s) => s === 'DELIVERED'),
      'five deliveries',
    );
    health.setFault({ mode: 'always-failing' });
    await submit('h4', healthCase());
    const healthQueue = new Queue('delivery.HEALTH', {
      connection: gw.redis,
      prefix: gw.runtime.env.queuePrefix,
    });
    await waitFor(async () => (await statusOf('h4')) === 'DEAD_LETTERED', 'a dead letter');
    await waitFor(() => healthQueue.isPaused(), 'the HEALTH circuit to pause its queue');
    await healthQueue.close();
    await submit('h5', healthCase()); // waits on the paused queue
    // Department error texts are untrusted: they may quote markup or the applicant back.
    await gw.db.query('UPDATE deliveries SET last_error = CONCAT(last_error, ?) WHERE id = ?', [
      ' <img src=x onerror=alert(1)> 身份证 11010519491231002X',
      seeded.h4.deliveryId,
    ]);

    // History: cases spread over past days, with due dates and results (ingredients of the charts).
    const now = Date.now();
    const at = (d: DateTime, hours: number) => d.plus({ hours }).toJSDate();
    await backdate('c1', daysAgo(5), { dueAt: at(daysAgo(5), 48), finalAt: at(daysAgo(5), 24) }); // on time
    await backdate('c2', daysAgo(5), { dueAt: new Date(now - 86_400_000) }); // past due, open
    await backdate('h1', daysAgo(2), { dueAt: at(daysAgo(2), 72), finalAt: at(daysAgo(2), 24) }); // on time
    await backdate('h2', daysAgo(2), { dueAt: at(daysAgo(2), 1), finalAt: at(daysAgo(2), 24) }); // late
    await backdate('h3', daysAgo(1), { dueAt: new Date(now - 7_200_000) }); // past due, open
    await backdate('h4', daysAgo(1));
    await backdate('h5', daysAgo(1));
    // Overdue: c2 by its due date, h3 by the overdue mark; h2 is past due but completed.
    await gw.db.query('UPDATE cases SET due_at = ? WHERE id = ?', [
      new Date(now - 86_400_000),
      seeded.c2.caseId,
    ]);
    await gw.db.query('UPDATE cases SET due_at = ?, overdue_at = ? WHERE id = ?', [
      new Date(now - 7_200_000),
      new Date(now - 3_600_000),
      seeded.h3.caseId,
    ]);
    await gw.db.query('UPDATE cases SET due_at = ?, completed_at = ? WHERE id = ?', [
      at(daysAgo(2), 1),
      at(daysAgo(2), 24),
      seeded.h2.caseId,
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await civil.stop();
    await health.stop();
    config?.dispose();
  });

  it('refuses requests without an admin key, for the page, its JSON and its actions', async () => {
    const page = await call(gw.url, 'GET', '/admin');
    expect(page.status).toBe(401);
    const anonymous = await fetch(`${gw.url}/admin/api/overview`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="Tongban admin"/);
    const headers = (authorization: string) => ({ headers: { authorization } });
    expect((await call(gw.url, 'GET', '/admin', headers(basic('wrong-key')))).status).toBe(401);
    expect((await call(gw.url, 'GET', '/admin', headers(basic(PLATFORM_KEY)))).status).toBe(403);
    expect((await call(gw.url, 'GET', '/admin/api/overview', { key: READER_KEY })).status).toBe(403);
    expect((await call(gw.url, 'GET', '/admin/assets/dashboard.js')).status).toBe(401);
    const replayPath = `/admin/api/deliveries/${seeded.h4.deliveryId}/replay`;
    expect((await call(gw.url, 'POST', replayPath, headers(basic(PLATFORM_KEY)))).status).toBe(403);
    // A browser sends Basic credentials with a request a foreign page triggers: actions need the
    // dashboard's own header, and a foreign Origin is refused.
    expect((await call(gw.url, 'POST', replayPath, headers(basic(ADMIN_KEY)))).status).toBe(403);
    const foreign = await call(gw.url, 'POST', replayPath, {
      headers: {
        authorization: basic(ADMIN_KEY),
        'x-tongban-dashboard': 'replay',
        origin: 'http://evil.example',
      },
    });
    expect(foreign.status).toBe(403);
    expect(await statusOf('h4')).toBe('DEAD_LETTERED');

    // In a browser: no credentials → the 401 challenge; a key without `admin` → 403.
    const status = async (credentials?: { username: string; password: string }) => {
      const context = await browser.newContext({ httpCredentials: credentials });
      const tab = await context.newPage();
      const response = tab.waitForResponse(`${gw.url}/admin`);
      await tab.goto(`${gw.url}/admin`).catch(() => undefined); // Chromium aborts on an unanswered challenge
      const code = (await response).status();
      await context.close();
      return code;
    };
    expect(await status()).toBe(401);
    expect(await status({ username: 'ops', password: PLATFORM_KEY })).toBe(403);
  });

  it('serves the same overview as JSON to a Bearer admin key', async () => {
    const res = await call(gw.url, 'GET', '/admin/api/overview?days=30', { key: ADMIN_KEY });
    expect(res.status).toBe(200);
    expect(res.body.daily.days).toBe(30);
    expect(res.body.deadLetters.items.map((d: { id: string }) => d.id)).toEqual([seeded.h4.deliveryId]);
    expect((await call(gw.url, 'GET', '/admin/api/overview?days=7', { key: ADMIN_KEY })).status).toBe(400);
  });

  describe('in the browser', () => {
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      const context = await browser.newContext({ httpCredentials: { username: 'ops', password: ADMIN_KEY } });
      page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
      });
      const response = await page.goto(`${gw.url}/admin`);
      expect(response?.status()).toBe(200);
    });
    afterAll(async () => {
      await page.context().close();
    });

    const cell = (department: string, field: string) =>
      page.locator(`#departments tr[data-department="${department}"] td[data-field="${field}"]`);

    it('shows each department with its live circuit, queue, last success and error rate', async () => {
      await expect(page.title()).resolves.toContain('Tongban');
      const breaker = await gw.redis.hget(`${gw.runtime.env.queuePrefix}:breaker:HEALTH`, 'state');
      expect(breaker).toBe('OPEN');
      expect(await cell('HEALTH', 'circuit').getAttribute('data-value')).toBe('OPEN');
      await expect(cell('HEALTH', 'circuit').innerText()).resolves.toContain('OPEN');
      expect(await cell('CIVIL', 'circuit').getAttribute('data-value')).toBe('CLOSED');
      // HEALTH: h5 waits on the paused queue; 2 of its 5 attempts in the last hour failed.
      expect(await cell('HEALTH', 'depth').getAttribute('data-value')).toBe('1');
      await expect(cell('HEALTH', 'depth').innerText()).resolves.toContain('paused');
      expect(await cell('HEALTH', 'error-rate').getAttribute('data-value')).toBe('0.4');
      await expect(cell('HEALTH', 'error-rate').innerText()).resolves.toContain('40.0 %');
      expect(await cell('HEALTH', 'dead-letters').getAttribute('data-value')).toBe('1');
      expect(await cell('CIVIL', 'error-rate').getAttribute('data-attempts')).toBe('2');
      expect(await cell('CIVIL', 'depth').getAttribute('data-value')).toBe('0');
      const [civilSuccess] = await gw.db.query<Array<{ at: Date }>>(
        `SELECT MAX(a.started_at) AS at FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
          WHERE d.department = 'CIVIL' AND a.outcome = 'delivered'`,
      );
      expect(await cell('CIVIL', 'last-success').getAttribute('data-value')).toBe(
        civilSuccess.at.toISOString(),
      );
      expect(await page.locator('a[href="/admin/queues"]').count()).toBe(1);
    });

    it('charts the last hour per minute: 60 minutes, every attempt counted, queue depth sampled', async () => {
      const minutes = page.locator('#throughput g.minute');
      expect(await minutes.count()).toBe(60);
      const totals = await minutes.evaluateAll((nodes: Marks) =>
        nodes.reduce(
          (t, n) => ({
            delivered: t.delivered + Number(n.getAttribute('data-delivered')),
            failed: t.failed + Number(n.getAttribute('data-failed')),
          }),
          { delivered: 0, failed: 0 },
        ),
      );
      expect(totals).toEqual({ delivered: 5, failed: 2 });
      expect(await page.locator('#throughput rect.seg-failed').count()).toBeGreaterThan(0);
      const depth = page.locator('#queue-depth circle.depth');
      expect(await depth.last().getAttribute('data-depth')).toBe('1');
    });

    it('charts daily volume and on-time rate per department from the seeded history', async () => {
      const day = (n: number) => daysAgo(n).toISODate()!;
      const series = async (department: string) =>
        page.locator(`#daily figure[data-department="${department}"] g.day`).evaluateAll((nodes: Marks) =>
          nodes.map((n) => ({
            day: n.getAttribute('data-day'),
            volume: Number(n.getAttribute('data-volume')),
            rate: n.getAttribute('data-rate'),
          })),
        );
      const healthDays = await series('HEALTH');
      expect(healthDays).toHaveLength(14);
      expect(healthDays.filter((d) => d.volume > 0)).toEqual([
        { day: day(2), volume: 2, rate: '0.5' },
        { day: day(1), volume: 3, rate: '0' },
      ]);
      const civilDays = await series('CIVIL');
      expect(civilDays.filter((d) => d.volume > 0)).toEqual([{ day: day(5), volume: 2, rate: '0.5' }]);
      expect(await page.locator('#daily figure[data-department="HEALTH"] rect.volume').count()).toBe(2);
      expect(await page.locator('#daily figure[data-department="HEALTH"] circle.rate').count()).toBe(2);

      await page.click('#daily a[href="?days=30"]');
      await page.waitForURL(/days=30/);
      expect(await page.locator('#daily figure[data-department="HEALTH"] g.day').count()).toBe(30);
      expect((await series('CIVIL')).filter((d) => d.volume > 0)).toEqual([
        { day: day(5), volume: 2, rate: '0.5' },
      ]);
    });

    it('lists overdue cases newest first, with masked applicants only', async () => {
      const rows = page.locator('#overdue tr[data-case]');
      expect(await rows.evaluateAll((r: Marks) => r.map((n) => n.getAttribute('data-case')))).toEqual([
        seeded.h3.caseId,
        seeded.c2.caseId,
      ]);
      expect(await rows.first().locator('td[data-field="applicant"]').innerText()).toBe(
        '张* 1101**********002X',
      );
      const html = await page.content();
      expect(html).not.toContain('张三');
      expect(html).not.toContain('11010519491231002X');
      expect(html).not.toContain('13800138000');
    });

    it('replays a dead letter from its button: out of DEAD_LETTERED in MySQL and on the page', async () => {
      const { deliveryId } = seeded.h4;
      const row = page.locator(`#dead-letters tr[data-delivery="${deliveryId}"]`);
      expect(await row.count()).toBe(1);
      const error = await row.locator('td.error').innerText();
      expect(error).toContain('<img src=x onerror=alert(1)> 身份证 1101**********002X');
      expect(await row.locator('img').count()).toBe(0);
      await row.locator('button.replay').click();
      await row.waitFor({ state: 'detached' });
      await expect(page.locator('#flash').innerText()).resolves.toContain('PENDING');
      expect(await statusOf('h4')).toBe('PENDING'); // queued again, behind the open circuit
      const audit = await gw.db.query<Array<{ actor: string; action: string; subject: string }>>(
        'SELECT actor, action, subject FROM audit_log',
      );
      expect(audit).toEqual([{ actor: 'demo integrator', action: 'delivery.replay', subject: deliveryId }]);
      expect(await page.locator('#dead-letters').getAttribute('data-total')).toBe('0');
      expect(await cell('HEALTH', 'dead-letters').getAttribute('data-value')).toBe('0');
      expect(await cell('HEALTH', 'depth').getAttribute('data-value')).toBe('2');
    });

    it('refreshes itself without a reload, and runs without script or CSP errors', async () => {
      const before = await page.locator('#live').getAttribute('data-generated-at');
      await waitFor(
        async () => (await page.locator('#live').getAttribute('data-generated-at')) !== before,
        'the page to refresh itself',
        25_000,
        250,
      );
      expect(page.url()).toMatch(/days=30/);
      expect(await page.locator('#daily figure[data-department="HEALTH"] g.day').count()).toBe(30);
      expect(problems).toEqual([]);
    });
  });
});
