import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryStore } from '../../src/delivery/delivery-store';
import { WebhookQueue } from '../../src/notifications/webhook-queue';
import { PlatformReceiver, type ReceivedEvent } from '../../src/simulators/platform/platform-receiver';
import { HealthSimulator } from '../../src/simulators/rest/health.simulator';
import { DepartmentReportService } from '../../src/tracking/department-report.service';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import { ADMIN_KEY, PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

const SECRET = 'e2e-webhook-secret';

interface EventRow {
  id: string;
  type: string;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  payload: string;
}

/**
 * Webhooks to a real platform receiver (node:http, verifying signatures) from a real gateway whose
 * cases move through the real delivery engine (HEALTH simulator) and the department report path.
 */
describe('platform webhooks', () => {
  const health = new HealthSimulator();
  const receiver = new PlatformReceiver({ secret: SECRET });
  let gw: TestGateway;
  let config: { dir: string; dispose(): void };

  beforeAll(async () => {
    const receiverUrl = await receiver.start();
    config = restDepartmentsConfig([{ code: 'HEALTH', baseUrl: await health.start() }]);
    const hook = `url: ${receiverUrl}/tongban/webhooks, secret: ${SECRET}, timeoutMs: 2000`;
    writeFileSync(
      join(config.dir, 'platforms.yaml'),
      `platforms:
  - source: demo-platform
    webhook: { ${hook}, attempts: 100, baseDelayMs: 40, maxDelayMs: 150 }
  - source: strict-platform
    webhook: { ${hook}, attempts: 2, baseDelayMs: 40, maxDelayMs: 80 }
`,
    );
    gw = await startTestGateway({ configDir: config.dir, env: { TONGBAN_RECONCILE_INTERVAL_MS: '300' } });
  });
  afterAll(async () => {
    await gw.close();
    await receiver.stop();
    await health.stop();
    config.dispose();
  });

  const newCase = (source = 'demo-platform') => {
    const body = sampleCase({ serviceCode: 'HEALTH-BIRTH-REG', form: { childOrder: 1 } });
    if (source !== 'demo-platform') body.source = source;
    return body;
  };
  /** Submits a case (the platform's key, or the admin's for another source). */
  const submit = async (body: Record<string, unknown> = newCase()) => {
    const key = body.source === undefined ? PLATFORM_KEY : ADMIN_KEY;
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key, body });
    expect(res.status).toBe(202);
    const created = res.body as { id: string; deliveries: Array<{ id: string }> };
    return {
      caseId: created.id,
      deliveryId: created.deliveries[0].id,
      externalId: body.externalId as string,
    };
  };
  /** The receiver fails this case's webhooks (from its very first) until the returned function is called. */
  const failing = (body: Record<string, unknown>, status: number, times?: number) =>
    receiver.fail({ match: (b) => b.externalId === body.externalId, status, times });
  const eventsOf = (caseId: string) =>
    gw.db.query<EventRow[]>(
      `SELECT id, type, status, attempts, last_error, sent_at, payload FROM platform_events
        WHERE case_id = ? ORDER BY id`,
      [caseId],
    );
  const waitEvents = async (caseId: string, what: string, check: (rows: EventRow[]) => boolean) => {
    await waitFor(async () => check(await eventsOf(caseId)), what);
    return eventsOf(caseId);
  };
  const sentCount = (rows: EventRow[]) => rows.filter((r) => r.status === 'SENT').length;
  /** The HEALTH department reports a state, through the one path callbacks and polls take. */
  const report = async (deliveryId: string, state: 'IN_REVIEW' | 'DONE') => {
    const result = await gw.app.get(DepartmentReportService).handle({
      department: 'HEALTH',
      via: 'callback',
      raw: { state, registrationNo: 'SC-SY-1' },
      deliveryId,
    });
    expect(result.kind).toBe('applied');
  };
  const delivered = (deliveryId: string) =>
    waitFor(async () => {
      const [row] = await gw.db.query<Array<{ status: string }>>(
        'SELECT status FROM deliveries WHERE id = ?',
        [deliveryId],
      );
      return row?.status === 'DELIVERED';
    }, 'delivery to HEALTH');
  const seenFor = (caseId: string): ReceivedEvent[] =>
    receiver.received.filter((e) => e.body.caseId === caseId);

  it('sends each status change of a case, signed, in order, with the documented payload', async () => {
    const { caseId, deliveryId, externalId } = await submit();
    await delivered(deliveryId);
    await report(deliveryId, 'IN_REVIEW');
    await report(deliveryId, 'DONE');
    const rows = await waitEvents(caseId, 'three webhooks sent', (r) => r.length === 3 && sentCount(r) === 3);

    const seen = seenFor(caseId);
    expect(seen.map((e) => e.eventId)).toEqual(rows.map((r) => r.id));
    for (const event of seen) {
      expect(event.answered).toBe(200);
      // The signature, recomputed here from the documented recipe over the raw body.
      const expected = createHmac('sha256', SECRET)
        .update(`${event.timestamp}.${event.rawBody}`)
        .digest('hex');
      expect(event.signature).toBe(`sha256=${expected}`);
      expect(Math.abs(Number(event.timestamp) - Date.now() / 1000)).toBeLessThan(120);
      expect(event.type).toBe('case.status_changed');
      expect(event.path).toBe('/tongban/webhooks');
    }
    expect(seen.map((e) => [e.body.previousStatus, e.body.status])).toEqual([
      ['SUBMITTED', 'DELIVERED'],
      ['DELIVERED', 'PROCESSING'],
      ['PROCESSING', 'COMPLETED'],
    ]);
    const last = seen[2].body;
    expect(last).toEqual({
      event: 'case.status_changed',
      eventId: rows[2].id,
      caseId,
      externalId,
      source: 'demo-platform',
      serviceCode: 'HEALTH-BIRTH-REG',
      status: 'COMPLETED',
      previousStatus: 'PROCESSING',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      deliveries: [
        { id: deliveryId, department: 'HEALTH', status: 'APPROVED', reference: 'SC-SY-1', remark: null },
      ],
    });
    expect(rows.every((r) => r.attempts === 1 && r.sent_at !== null)).toBe(true);

    const metrics = await fetch(`${gw.url}/metrics`).then((r) => r.text());
    const sent = /tongban_platform_event_sends_total\{type="case.status_changed",outcome="sent"\} (\d+)/.exec(
      metrics,
    );
    expect(Number(sent?.[1])).toBeGreaterThanOrEqual(3);
  });

  it('retries a platform that answers 503 twice, then records one delivery with three attempts', async () => {
    const body = newCase();
    const release = failing(body, 503, 2);
    const { caseId } = await submit(body);
    const [row] = await waitEvents(caseId, 'webhook after 503s', (r) => sentCount(r) === 1);
    release();

    expect(row.attempts).toBe(3);
    expect(row.last_error).toBeNull();
    expect(seenFor(caseId).map((e) => [e.eventId, e.answered])).toEqual([
      [row.id, 503],
      [row.id, 503],
      [row.id, 200],
    ]);
    expect(receiver.delivered().filter((e) => e.body.caseId === caseId)).toHaveLength(1);
  });

  it("holds a case's later events behind its failing one while other cases flow", async () => {
    const bodyA = newCase();
    const release = failing(bodyA, 503);
    const a = await submit(bodyA);
    const b = await submit();
    await Promise.all([delivered(a.deliveryId), delivered(b.deliveryId)]);
    await report(a.deliveryId, 'IN_REVIEW');
    await report(a.deliveryId, 'DONE');
    await report(b.deliveryId, 'IN_REVIEW');
    await report(b.deliveryId, 'DONE');

    await waitEvents(b.caseId, "B's three webhooks", (r) => sentCount(r) === 3);
    const held = await waitEvents(
      a.caseId,
      "A's first event retried",
      (r) => r.length === 3 && r[0].attempts >= 3,
    );
    expect(held.map((r) => r.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(new Set(seenFor(a.caseId).map((e) => e.eventId))).toEqual(new Set([held[0].id]));

    release();
    const rows = await waitEvents(a.caseId, "A's webhooks after recovery", (r) => sentCount(r) === 3);
    const seenA = seenFor(a.caseId);
    const ids = seenA.map((e) => Number(e.eventId));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(seenA.filter((e) => e.answered === 200).map((e) => e.eventId)).toEqual(rows.map((r) => r.id));
    expect(seenA.filter((e) => e.eventId !== rows[0].id).every((e) => e.answered === 200)).toBe(true);
    // B's last webhook arrived while A was still failing.
    const lastOfB = receiver.received.findIndex(
      (e) => e.body.caseId === b.caseId && e.body.status === 'COMPLETED',
    );
    const firstOkOfA = receiver.received.findIndex((e) => e.body.caseId === a.caseId && e.answered === 200);
    expect(lastOfB).toBeGreaterThanOrEqual(0);
    expect(lastOfB).toBeLessThan(firstOkOfA);
  });

  it('dead-letters after the attempts of the platform; an admin lists and replays it', async () => {
    const body = newCase('strict-platform');
    const release = failing(body, 500);
    const { caseId } = await submit(body);
    const [dead] = await waitEvents(caseId, 'dead letter', (r) => r[0]?.status === 'DEAD_LETTERED');
    expect(dead.attempts).toBe(2);
    expect(dead.last_error).toContain('HTTP 500');

    const listed = await call(gw.url, 'GET', '/api/v1/admin/platform-events?status=DEAD_LETTERED&limit=50', {
      key: ADMIN_KEY,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({
        id: dead.id,
        caseId,
        status: 'DEAD_LETTERED',
        attempts: 2,
        source: 'strict-platform',
      }),
    );
    expect(listed.body.items.every((e: { status: string }) => e.status === 'DEAD_LETTERED')).toBe(true);
    const forbidden = await call(gw.url, 'GET', '/api/v1/admin/platform-events', { key: PLATFORM_KEY });
    expect(forbidden.status).toBe(403);
    const invalid = await call(gw.url, 'GET', '/api/v1/admin/platform-events?status=LOST', {
      key: ADMIN_KEY,
    });
    expect(invalid.status).toBe(400);

    release();
    expect(receiver.delivered().filter((e) => e.eventId === dead.id)).toHaveLength(0);
    const replay = await call(gw.url, 'POST', `/api/v1/admin/platform-events/${dead.id}/replay`, {
      key: ADMIN_KEY,
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ id: dead.id, status: 'PENDING', attempts: 0 });
    const [sent] = await waitEvents(caseId, 'replayed webhook', (r) => r[0].status === 'SENT');
    expect(sent.attempts).toBe(1);
    expect(receiver.delivered().filter((e) => e.eventId === dead.id)).toHaveLength(1);

    const again = await call(gw.url, 'POST', `/api/v1/admin/platform-events/${dead.id}/replay`, {
      key: ADMIN_KEY,
    });
    expect(again.status).toBe(409);
    const missing = await call(gw.url, 'POST', '/api/v1/admin/platform-events/999999999/replay', {
      key: ADMIN_KEY,
    });
    expect(missing.status).toBe(404);
    const audit = await gw.db.query<Array<{ actor: string; action: string; subject: string }>>(
      "SELECT actor, action, subject FROM audit_log WHERE action = 'platform-event.replay'",
    );
    expect(audit).toEqual([{ actor: 'demo integrator', action: 'platform-event.replay', subject: dead.id }]);
  });

  it('sends an event committed while Redis holds no job for its case (the sweeper)', async () => {
    const { caseId, deliveryId } = await submit();
    await waitEvents(caseId, 'first webhook', (r) => sentCount(r) === 1);
    const queue = gw.app.get(WebhookQueue).queue!;
    await waitFor(async () => (await queue.getJob(caseId)) === undefined, 'the finished job to be removed');
    // Redis loses the queue's data ...
    const prefix = `${gw.runtime.env.queuePrefix}:webhooks:`;
    const keys = await gw.redis.keys(`${prefix}*`);
    if (keys.length > 0) await gw.redis.del(...keys);
    // ... and a change is committed with no kick at all (as if the process died right after commit).
    const store = gw.app.get(DeliveryStore);
    const work = await store.load(deliveryId);
    const result = await store.applyReport(work!, { status: 'PROCESSING', via: 'callback' });
    expect(result).toMatchObject({ kind: 'applied', caseChange: { to: 'PROCESSING' } });

    const rows = await waitEvents(caseId, 'the swept webhook', (r) => r.length === 2 && sentCount(r) === 2);
    expect(receiver.delivered().filter((e) => e.eventId === rows[1].id)).toHaveLength(1);
    expect(seenFor(caseId).find((e) => e.eventId === rows[1].id)?.body.status).toBe('PROCESSING');
  });
});
