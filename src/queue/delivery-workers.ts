import { Logger } from '@nestjs/common';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DepartmentRuntime } from '../delivery/department-runtime';
import { deliveryQueueName, type DeliveryJobData } from './queue-names';
import { createRedisConnection } from './redis-connection';

export type DeliveryProcessor = (
  job: import('bullmq').Job<DeliveryJobData>,
  token: string | undefined,
) => Promise<string>;

/**
 * One BullMQ worker per department queue (the `worker` role). The lock outlives the department's
 * timeout so a slow call is not mistaken for a stalled worker; infrastructure errors (MySQL down)
 * make BullMQ retry the job with its own backoff, while department outcomes are handled by the engine.
 */
export class DeliveryWorkers {
  private readonly logger = new Logger(DeliveryWorkers.name);
  private readonly workers: Worker<DeliveryJobData>[] = [];
  private readonly connections: Redis[] = [];

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
    private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
    private readonly processor: DeliveryProcessor,
  ) {}

  start(): void {
    for (const { config } of this.departments.values()) {
      const { delivery } = config;
      // Longer than an attempt can take, so a slow department is never mistaken for a dead worker.
      const lockDuration = delivery.timeoutMs * 2 + 5_000;
      const connection = createRedisConnection(this.redisUrl, {
        forWorker: true,
        name: `worker:${config.code}`,
      });
      this.connections.push(connection);
      const worker = new Worker<DeliveryJobData>(
        deliveryQueueName(config.code),
        (job, token) => this.processor(job, token),
        {
          connection,
          prefix: this.prefix,
          concurrency: delivery.concurrency,
          limiter: delivery.rateLimit
            ? { max: delivery.rateLimit.max, duration: delivery.rateLimit.durationMs }
            : undefined,
          lockDuration,
          stalledInterval: Math.min(30_000, lockDuration),
          maxStalledCount: 10,
          settings: {
            backoffStrategy: (attemptsMade: number) =>
              Math.min(60_000, 500 * 2 ** Math.min(attemptsMade, 10)),
          },
        },
      );
      worker.on('failed', (job, error) =>
        this.logger.warn({
          msg: 'delivery job failed; it will be retried',
          deliveryId: job?.data.deliveryId,
          error: error.message,
        }),
      );
      worker.on('error', (error) =>
        this.logger.warn({ msg: 'worker connection error', department: config.code, error: error.message }),
      );
      this.workers.push(worker);
    }
    this.logger.log(`delivery workers started for ${[...this.departments.keys()].join(', ')}`);
  }

  /** Waits for in-flight attempts to finish (each is bounded by its department timeout). */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    this.workers.length = 0;
    // BullMQ does not close a connection it was given.
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
    this.connections.length = 0;
  }
}
