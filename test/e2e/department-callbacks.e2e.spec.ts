import { createHmac } from 'node:crypto';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { HealthSimulator } from '../../src/simulators/rest/health.simulator';
import { deliveriesOf } from '../support/delivery-probe';
import { call, type HttpResult } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import { PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

/** The defaults of config/departments/{CIVIL,HEALTH}.yaml tracking.callbacks.auth.secret. */
const CIVIL_SECRET = 'demo-civil-callback-secret';
const HEALTH_SECRET = 'demo-health-callback-secret';

const civilCase = () =>
  sampleCase({ serviceCode: 'CIVIL-DIBAO', form: { householdSize: 2, monthlyIncomeYuan: '800.50' } });
const healthCase = () => sampleCase({ serviceCode: 'HEALTH-BIRTH-REG', form: { childOrder: 1 } });

/** CIVIL's scheme: hex HMAC-SHA256 of "{X-Timestamp}\n{body}". */
function civilHeaders(body: string, options: { timestamp?: number; secret?: string } = {}) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', options.secret ?? CIVIL_SECRET)
    .update(`${timestamp}\n${body}`)
    .digest('hex');
  return { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signature };
}

/** HEALTH's scheme: "sha256=" + base64 HMAC-SHA256 of the body alone. */
function healthHeaders(body: string, secret = HEALTH_SECRET) {
  const signature = createHmac('sha256', secret).update(body).digest('base64');
  return { 'content-type': 'application/json', 'x-hub-signature': `sha256=${signature}` };
}

describe('department status callbacks', () => {
  const civil = new CivilSimulator();
  const health = new HealthSimulator();
  let gw: TestGateway;
  let config: { dir: string; dispose(): void };

  beforeAll(async () => {
    config = restDepartmentsConfig([
      { code: 'CIVIL', baseUrl: await civil.start() },
      { code: 'HEALTH', baseUrl: await health.start() },
    ]);
    gw = await startTestGateway({ configDir: config.dir });
  });
  afterAll(async () => {
    await gw.close();
    await civil.stop();
    await health.stop();
    config.dispose();
  });

  const callback = (code: string, body: string, headers: Record<string, string>) =>
    call(gw.url, 'POST', `/api/v1/departments/${code}/callbacks`, { rawBody: body, headers });
  const civilCallback = (payload: unknown, options?: { timestamp?: number; secret?: string }) => {
    const body = JSON.stringify(payload);
    return callback('CIVIL', body, civilHeaders(body, options));
  };
  const deliveryOf = async (id: string) => (await deliveriesOf(gw, 'id = ?', [id]))[0];
  const caseOf = async (caseId: string) =>
    (await call(gw.url, 'GET', `/api/v1/cases/${caseId}`, { key: PLATFORM_KEY })).body as {
      status: string;
      timeline: Array<{ type: string; deliveryId: string | null; detail: Record<string, unknown> }>;
    };
  const reports = async (caseId: string) =>
    (await caseOf(caseId)).timeline.filter((e) => e.type === 'DELIVERY_STATUS_REPORTED');

  /** A case submitted and delivered to its department; the department's receipt number with it. */
  const delivered = async (body: Record<string, unknown>) => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body });
    expect(res.status).toBe(202);
    const caseId = (res.body as { id: string }).id;
    const deliveryId = (res.body as { deliveries: Array<{ id: string }> }).deliveries[0].id;
    await waitFor(async () => (await deliveryOf(deliveryId))?.status === 'DELIVERED', 'delivery');
    return { caseId, deliveryId, reference: (await deliveryOf(deliveryId)).receipt_ref! };
  };

  const expectProblem = (res: HttpResult, status: number) => {
    expect(res.status).toBe(status);
    expect(res.contentType).toContain('application/problem+json');
  };

  it('CIVIL (timestamp + body): PROCESSING, then APPROVED with the case COMPLETED', async () => {
    const { caseId, deliveryId, reference } = await delivered(civilCase());
    const processing = await civilCallback({ application_no: reference, status: '审核中', remark: null });
    expect(processing).toMatchObject({
      status: 200,
      body: { deliveryId, status: 'PROCESSING', outcome: 'applied' },
    });
    expect((await deliveryOf(deliveryId)).status).toBe('PROCESSING');
    expect((await caseOf(caseId)).status).toBe('PROCESSING');

    const approved = await civilCallback({
      application_no: reference,
      status: '已批准',
      remark: '符合条件',
      finished_at: '2026-12-01T10:00:00+08:00',
    });
    expect(approved).toMatchObject({ status: 200, body: { deliveryId, status: 'APPROVED' } });
    expect((await deliveryOf(deliveryId)).status).toBe('APPROVED');
    const detail = await caseOf(caseId);
    expect(detail.status).toBe('COMPLETED');
    expect((await reports(caseId)).map((e) => [e.detail.status, e.detail.via])).toEqual([
      ['PROCESSING', 'callback'],
      ['APPROVED', 'callback'],
    ]);
  });

  it('HEALTH (body only, base64 with a prefix): PROCESSING, then APPROVED', async () => {
    const { caseId, deliveryId, reference } = await delivered(healthCase());
    for (const [state, expected] of [
      ['IN_REVIEW', 'PROCESSING'],
      ['DONE', 'APPROVED'],
    ]) {
      const body = JSON.stringify({ registrationNo: reference, state, note: null, doneAt: null });
      const res = await callback('HEALTH', body, healthHeaders(body));
      expect(res).toMatchObject({ status: 200, body: { deliveryId, status: expected, outcome: 'applied' } });
    }
    expect((await caseOf(caseId)).status).toBe('COMPLETED');
  });

  it('refuses a bad or missing signature with 401 and changes nothing', async () => {
    const { caseId, deliveryId, reference } = await delivered(civilCase());
    const eventsBefore = (await caseOf(caseId)).timeline.length;
    const payload = { application_no: reference, status: '已批准' };
    expectProblem(await civilCallback(payload, { secret: 'not-the-secret' }), 401);
    // Signed correctly, then altered in transit.
    const body = JSON.stringify(payload);
    const tampered = body.replace('已批准', '审核中');
    expectProblem(await callback('CIVIL', tampered, civilHeaders(body)), 401);
    // HEALTH's signature on a CIVIL callback; an API key is no substitute either.
    expectProblem(await callback('CIVIL', body, healthHeaders(body)), 401);
    const withKey = await call(gw.url, 'POST', '/api/v1/departments/CIVIL/callbacks', {
      key: PLATFORM_KEY,
      body: payload,
    });
    expectProblem(withKey, 401);
    expect(withKey.body.detail).toContain('X-Signature header is missing');

    expect((await deliveryOf(deliveryId)).status).toBe('DELIVERED');
    expect((await caseOf(caseId)).timeline).toHaveLength(eventsBefore);
  });

  it('refuses a correctly signed callback whose timestamp is outside the replay window', async () => {
    const { deliveryId, reference } = await delivered(civilCase());
    const stale = await civilCallback(
      { application_no: reference, status: '审核中' },
      { timestamp: Math.floor(Date.now() / 1000) - 301 },
    );
    expectProblem(stale, 401);
    expect(stale.body.detail).toContain('replay window');
    expect((await deliveryOf(deliveryId)).status).toBe('DELIVERED');
  });

  it('answers the same callback twice with 200, and the second changes nothing', async () => {
    const { caseId, deliveryId, reference } = await delivered(civilCase());
    const body = JSON.stringify({ application_no: reference, status: '审核中', remark: null });
    const headers = civilHeaders(body);
    const first = await callback('CIVIL', body, headers);
    expect(first).toMatchObject({
      status: 200,
      body: { deliveryId, status: 'PROCESSING', outcome: 'applied' },
    });
    const timeline = (await caseOf(caseId)).timeline;

    const again = await callback('CIVIL', body, headers);
    expect(again).toMatchObject({
      status: 200,
      body: { deliveryId, status: 'PROCESSING', outcome: 'duplicate' },
    });
    expect((await caseOf(caseId)).timeline).toEqual(timeline);
    expect(await reports(caseId)).toHaveLength(1);
  });

  it('answers 404 for an unknown receipt and an unknown department', async () => {
    const unknown = await civilCallback({ application_no: 'MZ20990101999999', status: '审核中' });
    expectProblem(unknown, 404);
    expect(unknown.body.detail).toContain('MZ20990101999999');
    const body = JSON.stringify({ status: 'x' });
    expectProblem(await callback('NOPE', body, civilHeaders(body)), 404);
  });

  it('refuses an illegal transition with 409 and keeps it as a STATUS_ANOMALY in the timeline', async () => {
    const { caseId, deliveryId, reference } = await delivered(civilCase());
    expect((await civilCallback({ application_no: reference, status: '已批准' })).status).toBe(200);
    const backwards = await civilCallback({ application_no: reference, status: '审核中' });
    expectProblem(backwards, 409);
    expect(backwards.body).toMatchObject({
      type: 'urn:tongban:problem:illegal-status-transition',
      deliveryId,
      currentStatus: 'APPROVED',
    });
    expect((await deliveryOf(deliveryId)).status).toBe('APPROVED');
    const anomalies = (await caseOf(caseId)).timeline.filter((e) => e.type === 'STATUS_ANOMALY');
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({
      deliveryId,
      detail: { from: 'APPROVED', reported: 'PROCESSING', via: 'callback' },
    });
  });

  it('answers 400 with field errors for a body its reverse mapping cannot read, 413 over maxBytes', async () => {
    const { deliveryId, reference } = await delivered(civilCase());
    const unreadable = await civilCallback({ application_no: reference, status: '已撤销' });
    expectProblem(unreadable, 400);
    expect(unreadable.body.errors).toEqual([
      { pointer: '/status', reason: expect.stringContaining('已撤销') },
    ]);

    const notJson = 'status=approved';
    expectProblem(await callback('CIVIL', notJson, civilHeaders(notJson)), 400);
    const huge = JSON.stringify({ application_no: reference, status: '审核中', padding: 'x'.repeat(70_000) });
    expectProblem(await callback('CIVIL', huge, civilHeaders(huge)), 413);
    expect((await deliveryOf(deliveryId)).status).toBe('DELIVERED');
  });

  it("takes the simulators' own signed callbacks end to end, without polling", async () => {
    civil.setCallback({
      url: `${gw.url}/api/v1/departments/CIVIL/callbacks`,
      secret: CIVIL_SECRET,
      retryDelaysMs: [200, 500],
    });
    health.setCallback({
      url: `${gw.url}/api/v1/departments/HEALTH/callbacks`,
      secret: HEALTH_SECRET,
      retryDelaysMs: [200, 500],
    });
    try {
      const civilDone = await delivered(civilCase());
      const healthDone = await delivered(healthCase());
      // The department's clerk decides: the simulators call back on their own.
      expect(civil.setStatus(civilDone.deliveryId, '已批准', '符合条件')).toBe(true);
      expect(health.setStatus(healthDone.deliveryId, 'IN_REVIEW')).toBe(true);
      await waitFor(
        async () => (await deliveryOf(civilDone.deliveryId)).status === 'APPROVED',
        'CIVIL callback',
      );
      await waitFor(
        async () => (await deliveryOf(healthDone.deliveryId)).status === 'PROCESSING',
        'HEALTH callback',
      );
      expect((await caseOf(civilDone.caseId)).status).toBe('COMPLETED');
      expect((await reports(civilDone.caseId)).map((e) => e.detail)).toEqual([
        expect.objectContaining({ status: 'APPROVED', via: 'callback', remark: '符合条件' }),
      ]);
      // The gateway commits before its answer reaches the simulators.
      await waitFor(
        () => civil.stats().callbacks.delivered + health.stats().callbacks.delivered === 2,
        'the answers at the simulators',
      );
      expect(civil.stats().callbacks).toMatchObject({ attempts: 1, delivered: 1, failed: 0 });
      expect(health.stats().callbacks).toMatchObject({ attempts: 1, delivered: 1, failed: 0 });
    } finally {
      civil.setCallback();
      health.setCallback();
    }
  });
});
