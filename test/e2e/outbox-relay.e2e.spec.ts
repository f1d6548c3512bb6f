import { Queue } from 'bullmq';
import { OutboxStore } from '../../src/persistence/outbox-store';
import { DeliveryQueues } from '../../src/queue/delivery-queues';
import { OutboxRelay } from '../../src/queue/outbox-relay';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

/** A crash between the commit and the enqueue leaves an outbox entry; the relay finishes the job. */
describe('outbox relay', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // Workers off: this test looks at the queue, not at deliveries.
    gw = await startTestGateway({ env: { TONGBAN_ROLE: 'api' } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('enqueues committed deliveries whose enqueue never happened, once', async () => {
    const created = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body: sampleCase() });
    const deliveryId: string = created.body.deliveries[0].id;
    const queue = new Queue('delivery.HRSS', { connection: gw.redis, prefix: gw.runtime.env.queuePrefix });
    // The intake's own enqueue and outbox clean-up run after the answer: let them finish first.
    await waitFor(
      async () => (await gw.db.query<unknown[]>('SELECT * FROM outbox')).length === 0,
      'clean-up',
    );
    // Simulate the crash: the job never reached Redis, the outbox entry is still there.
    await queue.remove(deliveryId);
    await gw.db.query('INSERT INTO outbox (delivery_id, department, created_at) VALUES (?, ?, ?)', [
      deliveryId,
      'HRSS',
      new Date(Date.now() - 60_000),
    ]);
    expect(await queue.getJob(deliveryId)).toBeUndefined();

    const relay = new OutboxRelay(gw.app.get(OutboxStore), gw.app.get(DeliveryQueues), gw.redis, {
      intervalMs: 1_000,
      graceMs: 10_000,
      lockKey: `${gw.runtime.env.queuePrefix}:test-relay-lock`,
    });
    expect(await relay.runOnce()).toBe(1);
    expect((await queue.getJob(deliveryId))?.data).toEqual({ deliveryId });
    expect(await gw.db.query('SELECT * FROM outbox')).toEqual([]);
    expect(await relay.runOnce()).toBe(0);
    expect((await queue.getJobCounts('waiting')).waiting).toBe(1);
    await queue.close();
  });
});
