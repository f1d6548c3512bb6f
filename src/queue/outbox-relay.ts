import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { OutboxStore } from '../persistence/outbox-store';
import type { DeliveryQueues } from './delivery-queues';

/**
 * Moves committed deliveries whose enqueue did not happen (crash after commit, Redis down) onto
 * their queues. A Redis lock keeps one relay active when several api processes run.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly owner = randomUUID();
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly queues: DeliveryQueues,
    private readonly redis: Redis,
    private readonly options: { intervalMs: number; graceMs: number; lockKey: string; batch?: number },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.runOnce().finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass; returns how many deliveries it put back on their queues. */
  async runOnce(): Promise<number> {
    try {
      const locked = await this.redis.set(
        this.options.lockKey,
        this.owner,
        'PX',
        this.options.intervalMs * 3,
        'NX',
      );
      if (locked !== 'OK' && (await this.redis.get(this.options.lockKey)) !== this.owner) return 0;
      const entries = await this.outbox.olderThan(
        new Date(Date.now() - this.options.graceMs),
        this.options.batch ?? 500,
      );
      if (entries.length === 0) return 0;
      await this.queues.enqueue(entries.map((e) => ({ id: e.deliveryId, department: e.department })));
      await this.outbox.removeEntries(entries.map((e) => e.id));
      this.logger.log(`re-enqueued ${entries.length} committed deliveries from the outbox`);
      return entries.length;
    } catch (error) {
      this.logger.warn(`outbox relay pass failed, will retry: ${(error as Error).message}`);
      return 0;
    }
  }
}
