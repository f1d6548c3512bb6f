import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { IntervalLoop } from '../common/background/interval-loop';
import type { OutboxStore } from '../persistence/outbox-store';
import type { DeliveryQueues } from './delivery-queues';
import { RedisLease } from './redis-lease';

/**
 * Moves committed deliveries whose enqueue did not happen (crash after commit, Redis down) onto
 * their queues. A Redis lease keeps one relay active when several api processes run.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly loop: IntervalLoop;
  private readonly lease: RedisLease;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly queues: DeliveryQueues,
    redis: Redis,
    private readonly options: { intervalMs: number; graceMs: number; lockKey: string; batch?: number },
  ) {
    this.loop = new IntervalLoop(OutboxRelay.name, options.intervalMs, () => this.runOnce());
    this.lease = new RedisLease(redis, options.lockKey, options.intervalMs * 3);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass; returns how many deliveries it put back on their queues. */
  async runOnce(): Promise<number> {
    if (!(await this.lease.acquire())) return 0;
    const entries = await this.outbox.olderThan(
      new Date(Date.now() - this.options.graceMs),
      this.options.batch ?? 500,
    );
    if (entries.length === 0) return 0;
    await this.queues.enqueue(entries.map((e) => ({ id: e.deliveryId, department: e.department })));
    await this.outbox.removeEntries(entries.map((e) => e.id));
    this.logger.log(`re-enqueued ${entries.length} committed deliveries from the outbox`);
    return entries.length;
  }
}
