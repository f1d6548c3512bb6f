import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { DeliveryReconciler } from '../../src/delivery/delivery-reconciler';
import { DeliveryQueues } from '../../src/queue/delivery-queues';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

/** MySQL says what is undelivered; the reconciler makes the queues agree, job by job. */
describe('delivery reconciler', () => {
  let gw: TestGateway;
  let queue: Queue;
  beforeAll(async () => {
    // No workers, and the gateway's own reconciler out of the way: this test runs its passes itself.
    gw = await startTestGateway({ env: { TONGBAN_ROLE: 'api', TONGBAN_RECONCILE_INTERVAL_MS: '3600000' } });
    queue = new Queue('delivery.HRSS', { connection: gw.redis, prefix: gw.runtime.env.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await gw.close();
  });

  const submit = async (): Promise<string> => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body: sampleCase() });
    expect(res.status).toBe(202);
    return res.body.deliveries[0].id as string;
  };

  it('puts back open deliveries whose job is gone or finished, and leaves live jobs alone', async () => {
    // A job that failed for good while MySQL still has its delivery open (a stale failed job).
    const failedId = await submit();
    const workerRedis = gw.redis.duplicate({ maxRetriesPerRequest: null });
    const worker = new Worker(
      'delivery.HRSS',
      () => {
        throw new UnrecoverableError('failed for the test');
      },
      { connection: workerRedis, prefix: gw.runtime.env.queuePrefix },
    );
    await waitFor(async () => (await queue.getJob(failedId))?.finishedOn !== undefined, 'the job to fail');
    await worker.close();
    workerRedis.disconnect();
    // A job lost from Redis (flushed, or never enqueued).
    const missingId = await submit();
    await queue.remove(missingId);
    // A job waiting as it should.
    const liveId = await submit();
    const liveTimestamp = (await queue.getJob(liveId))!.timestamp;
    await gw.db.query('UPDATE deliveries SET updated_at = ? WHERE id IN (?)', [
      new Date(Date.now() - 60_000),
      [failedId, missingId, liveId],
    ]);

    const reconciler = new DeliveryReconciler(gw.app.get(DataSource), gw.app.get(DeliveryQueues), gw.redis, {
      intervalMs: 1_000,
      graceMs: 10_000,
      lockKey: `${gw.runtime.env.queuePrefix}:test-reconciler-lock`,
    });
    expect(await reconciler.runOnce()).toBe(2);
    for (const id of [failedId, missingId]) {
      const job = await queue.getJob(id);
      expect(job?.data).toEqual({ deliveryId: id });
      expect(await job!.getState()).toBe('waiting');
    }
    expect((await queue.getJob(liveId))!.timestamp).toBe(liveTimestamp);
    expect(await reconciler.runOnce()).toBe(0);
  });

  it('finds open deliveries of every open status and department, page by page, and no closed one', async () => {
    const [pending, retryWait, sending, delivered] = [
      await submit(),
      await submit(),
      await submit(),
      await submit(),
    ];
    const civilCase = sampleCase({
      serviceCode: 'CIVIL-DIBAO',
      form: { householdSize: 2, monthlyIncomeYuan: '800.50' },
    });
    const civilRes = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body: civilCase });
    expect(civilRes.status).toBe(202);
    const civilPending = civilRes.body.deliveries[0].id as string;
    const civilQueue = new Queue('delivery.CIVIL', {
      connection: gw.redis,
      prefix: gw.runtime.env.queuePrefix,
    });
    const states: Array<[string, string]> = [
      [pending, 'PENDING'],
      [retryWait, 'RETRY_WAIT'],
      [sending, 'SENDING'],
      [delivered, 'DELIVERED'],
      [civilPending, 'PENDING'],
    ];
    for (const [id, status] of states)
      await gw.db.query('UPDATE deliveries SET status = ?, updated_at = ? WHERE id = ?', [
        status,
        new Date(Date.now() - 60_000),
        id,
      ]);
    // All five jobs lost (a flushed Redis): only the four open deliveries come back.
    for (const id of [pending, retryWait, sending, delivered]) await queue.remove(id);
    await civilQueue.remove(civilPending);

    const reconciler = new DeliveryReconciler(gw.app.get(DataSource), gw.app.get(DeliveryQueues), gw.redis, {
      intervalMs: 1_000,
      graceMs: 10_000,
      lockKey: `${gw.runtime.env.queuePrefix}:test-reconciler-lock-2`,
      batch: 1,
    });
    expect(await reconciler.runOnce()).toBe(4);
    for (const id of [pending, retryWait, sending]) expect(await queue.getJob(id)).toBeDefined();
    expect(await civilQueue.getJob(civilPending)).toBeDefined();
    expect(await queue.getJob(delivered)).toBeUndefined();
    await civilQueue.close();
  });
});
