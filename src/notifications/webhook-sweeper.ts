import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { IntervalLoop } from '../common/background/interval-loop';
import { RedisLease } from '../queue/redis-lease';
import type { PlatformEventStore } from './platform-event-store';
import type { WebhookQueue } from './webhook-queue';

export interface WebhookSweeperOptions {
  intervalMs: number;
  lockKey: string;
  batch?: number;
}

/**
 * MySQL says which cases have an event due; this makes sure each has a job. It covers a crash
 * between commit and kick, a Redis that lost its data, and an event committed while its case's job
 * was finishing. Adding a case whose job exists is a no-op (jobId = case id). One process sweeps.
 */
export class WebhookSweeper {
  private readonly logger = new Logger(WebhookSweeper.name);
  private readonly loop: IntervalLoop;
  private readonly lease: RedisLease;

  constructor(
    private readonly store: PlatformEventStore,
    private readonly queue: WebhookQueue,
    redis: Redis,
    private readonly options: WebhookSweeperOptions,
  ) {
    this.loop = new IntervalLoop(WebhookSweeper.name, options.intervalMs, () => this.runOnce());
    this.lease = new RedisLease(redis, options.lockKey, options.intervalMs * 3);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass; returns how many cases it (re-)enqueued. */
  async runOnce(now = new Date()): Promise<number> {
    if (!(await this.lease.acquire())) return 0;
    const caseIds = await this.store.dueCases(now, this.options.batch ?? 1_000);
    await this.queue.enqueue(caseIds);
    if (caseIds.length > 0) this.logger.debug(`made sure ${caseIds.length} cases with due events have a job`);
    return caseIds.length;
  }
}
