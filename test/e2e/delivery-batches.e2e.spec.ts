import { DeliveryStore, type DeliveryUpdate } from '../../src/delivery/delivery-store';
import { DeliveryStatus } from '../../src/lifecycle/delivery-status';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';

/**
 * The worker's grouped writes (DeliveryBatches): attempts finished at the same time share one
 * transaction, yet every case roll-up, timeline event and evidence link is what one transaction per
 * attempt would have written. An api-only gateway, so no worker touches the deliveries meanwhile.
 */
describe('grouped delivery writes', () => {
  let gw: TestGateway;
  let store: DeliveryStore;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { TONGBAN_ROLE: 'api' } });
    store = gw.app.get(DeliveryStore);
  });
  afterAll(async () => gw.close());

  /** Cases routed to CIVIL and DPF: two deliveries each. */
  const jointCases = async (count: number) => {
    const cases: Array<{ id: string; deliveries: Array<{ id: string }> }> = [];
    for (let i = 0; i < count; i++) {
      const res = await call(gw.url, 'POST', '/api/v1/cases', {
        key: PLATFORM_KEY,
        body: sampleCase({ serviceCode: 'DPF-DIBAO-JOINT', form: {} }),
      });
      expect(res.status).toBe(202);
      cases.push(res.body as { id: string; deliveries: Array<{ id: string }> });
    }
    return cases;
  };

  const delivered = (reference: string): DeliveryUpdate => ({
    status: DeliveryStatus.Delivered,
    lastOutcome: 'delivered',
    lastError: null,
    ambiguous: false,
    nextAttemptAt: null,
    receiptRef: reference,
    deliveredAt: new Date(),
  });
  const attemptRecord = (attempt: number, outcome = 'delivered') => ({
    attempt,
    startedAt: new Date(),
    durationMs: 5,
    outcome,
    sentHash: 'sent',
    receivedHash: 'received',
  });
  const finish = (deliveryId: string, caseId: string, attempt: number, outcome = 'delivered') =>
    store.finishAttempt(
      { id: deliveryId, caseId },
      attemptRecord(attempt, outcome),
      delivered(`R-${deliveryId.slice(-6)}`),
      { type: 'DELIVERY_DELIVERED', detail: { attempt } },
      (prevHash) => `hash(${deliveryId.slice(-6)},${attempt},${prevHash ?? '-'})`,
    );

  it('claims and records many attempts at once, rolling each case up once both deliveries are in', async () => {
    const cases = await jointCases(6);
    const all = cases.flatMap((c) => c.deliveries.map((d) => ({ caseId: c.id, id: d.id })));
    expect(all).toHaveLength(12);

    const claims = await Promise.all(all.map((d) => store.claimAttempt(d.id, 0)));
    expect(claims).toEqual(all.map(() => 1));
    // A second claim on what was just claimed (a job run twice) loses: the count moved on.
    expect(await store.claimAttempt(all[0].id, 0)).toBe(2);

    const changes = await Promise.all(all.map((d) => finish(d.id, d.caseId, 1)));
    // Exactly one of each case's two finishes moved the case: the one that saw its sibling delivered.
    for (const c of cases) {
      const moved = changes.filter((ch) => ch?.caseId === c.id);
      expect(moved).toEqual([{ caseId: c.id, from: 'SUBMITTED', to: 'DELIVERED' }]);
    }
    const [statuses] = await gw.db.query<Array<{ status: string; n: string }>>(
      `SELECT status, COUNT(*) AS n FROM cases WHERE id IN (${cases.map(() => '?').join(', ')}) GROUP BY status`,
      cases.map((c) => c.id),
    );
    expect([statuses]).toEqual([{ status: 'DELIVERED', n: '6' }]);

    // The platform hears of each change once, with both deliveries as they are after the change.
    const events = await gw.db.query<Array<{ case_id: string; payload: string }>>(
      `SELECT case_id, payload FROM platform_events WHERE type = 'case.status_changed'
        AND case_id IN (${cases.map(() => '?').join(', ')})`,
      cases.map((c) => c.id),
    );
    expect(events).toHaveLength(6);
    for (const e of events) {
      const payload = JSON.parse(e.payload) as { deliveries: Array<{ status: string; reference: string }> };
      expect(payload.deliveries.map((d) => d.status)).toEqual(['DELIVERED', 'DELIVERED']);
      expect(payload.deliveries.every((d) => d.reference.startsWith('R-'))).toBe(true);
    }
  });

  it('chains the evidence of two attempts of one delivery finished at the same moment', async () => {
    const [c] = await jointCases(1);
    const id = c.deliveries[0].id;
    await Promise.all([finish(id, c.id, 1), finish(id, c.id, 2)]);
    const attempts = await gw.db.query<
      Array<{ attempt: number; prev_hash: string | null; record_hash: string }>
    >('SELECT attempt, prev_hash, record_hash FROM delivery_attempts WHERE delivery_id = ? ORDER BY id', [
      id,
    ]);
    // Whichever was recorded first starts the chain; the other links to it (the delivery's lock orders them).
    const tag = id.slice(-6);
    const [first, second] = attempts;
    expect(attempts.map((a) => a.attempt).sort()).toEqual([1, 2]);
    expect(first).toEqual({
      attempt: first.attempt,
      prev_hash: null,
      record_hash: `hash(${tag},${first.attempt},-)`,
    });
    expect(second).toEqual({
      attempt: second.attempt,
      prev_hash: first.record_hash,
      record_hash: `hash(${tag},${second.attempt},${first.record_hash})`,
    });
  });

  it('records the good attempts of a batch when one of them fails, and fails only that one', async () => {
    const cases = await jointCases(3);
    const [bad, ...good] = cases.map((c) => ({ caseId: c.id, id: c.deliveries[0].id }));
    const results = await Promise.allSettled([
      // outcome is VARCHAR(16): strict mode refuses the row, and with it the whole first batch.
      finish(bad.id, bad.caseId, 1, 'x'.repeat(40)),
      ...good.map((d) => finish(d.id, d.caseId, 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    const rows = await gw.db.query<Array<{ id: string; status: string; attempts: string }>>(
      `SELECT d.id, d.status, (SELECT COUNT(*) FROM delivery_attempts a WHERE a.delivery_id = d.id) AS attempts
         FROM deliveries d WHERE d.id IN (?, ?, ?) ORDER BY d.id`,
      [bad.id, ...good.map((d) => d.id)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(bad.id)).toMatchObject({ status: 'PENDING', attempts: '0' });
    for (const d of good) expect(byId.get(d.id)).toMatchObject({ status: 'DELIVERED', attempts: '1' });
  });
});
