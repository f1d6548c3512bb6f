import { Logger } from '@nestjs/common';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedisConnection } from '../queue/redis-connection';
import { WEBHOOK_QUEUE, type PlatformEventsJobData } from '../queue/queue-names';
import type { PlatformEventDispatcher } from './platform-event-dispatcher';

export interface WebhookWorkerOptions {
  redisUrl: string;
  prefix: string;
  /** Cases sent in parallel (each case's events stay in order). */
  concurrency: number;
  /** The longest platform timeout: the lock must outlive an attempt. */
  maxTimeoutMs: number;
}

/**
 * Runs the `webhooks` queue (worker role). A thin processor: the dispatcher sends the case's due
 * events; when one has to wait (backoff), the same job is moved to the delayed set until then, so
 * the case keeps its single job and nothing behind the failing event can go first.
 */
export class WebhookWorker {
  private readonly logger = new Logger(WebhookWorker.name);
  private worker?: Worker<PlatformEventsJobData>;
  private connection?: Redis;

  constructor(
    private readonly dispatcher: PlatformEventDispatcher,
    private readonly options: WebhookWorkerOptions,
  ) {}

  start(): void {
    const lockDuration = this.options.maxTimeoutMs * 2 + 10_000;
    this.connection = createRedisConnection(this.options.redisUrl, {
      forWorker: true,
      name: 'worker:webhooks',
    });
    this.worker = new Worker<PlatformEventsJobData>(WEBHOOK_QUEUE, (job, token) => this.process(job, token), {
      connection: this.connection,
      prefix: this.options.prefix,
      concurrency: this.options.concurrency,
      lockDuration,
      stalledInterval: Math.min(30_000, lockDuration),
    });
    this.worker.on('failed', (job, error) =>
      this.logger.warn({ msg: 'platform events job failed', caseId: job?.data.caseId, error: error.message }),
    );
    this.worker.on('error', (error) =>
      this.logger.warn({ msg: 'webhook worker connection error', error: error.message }),
    );
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
    // BullMQ does not close a connection it was given.
    await this.connection?.quit().catch(() => this.connection?.disconnect());
    this.connection = undefined;
  }

  private async process(job: Job<PlatformEventsJobData>, token: string | undefined): Promise<void> {
    const retryAt = await this.dispatcher.dispatchCase(job.data.caseId);
    if (retryAt === undefined) return;
    await job.moveToDelayed(retryAt, token);
    throw new DelayedError();
  }
}
