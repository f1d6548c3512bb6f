import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { DELIVERY_RUNTIMES } from '../delivery/delivery-tokens';
import type { DepartmentRuntime } from '../delivery/department-runtime';
import { TRACKING_QUEUE, TrackingJobName, type TrackingJobData } from '../queue/queue-names';
import { createRedisConnection } from '../queue/redis-connection';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { REDIS, RUNTIME } from '../runtime/tokens';
import { ResultPickup } from './result-pickup';
import { StatusPoller } from './status-poller';
import { pollTickMs } from './tracking-schedule';

interface Schedule {
  id: string;
  name: TrackingJobName;
  department: string;
  everyMs: number;
}

const RETRY_START_MS = 5_000;

/**
 * Status polling and result pickup on the `tracking` queue: one BullMQ job scheduler per department
 * and task (`poll:HRSS` every few seconds, `results:DPF` every `tracking.results.intervalMs`), so each
 * run goes to exactly one worker process however many there are. Runs in worker processes only.
 */
@Injectable()
export class TrackingWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TrackingWorker.name);
  private queue?: Queue<TrackingJobData>;
  private worker?: Worker<TrackingJobData>;
  private connection?: Redis;
  private starting?: Promise<void>;
  private stopping = new AbortController();

  constructor(
    @Inject(RUNTIME) private readonly runtime: GatewayRuntime,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(DELIVERY_RUNTIMES) private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
    private readonly poller: StatusPoller,
    private readonly pickup: ResultPickup,
  ) {}

  onApplicationBootstrap(): void {
    if (this.runtime.env.role === 'api') return;
    // In the background: a department whose adapter is slow to build must not hold up start-up.
    this.starting = this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.starting;
    // Waits for runs in flight; each status call is bounded by its department timeout.
    await this.worker?.close();
    await this.queue?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
    this.worker = this.queue = this.connection = undefined;
  }

  private async start(): Promise<void> {
    const { queuePrefix: prefix } = this.runtime.env;
    this.queue = new Queue<TrackingJobData>(TRACKING_QUEUE, { connection: this.redis, prefix });
    for (let attempt = 1; !this.stopping.signal.aborted; attempt++) {
      try {
        const schedules = await this.plan();
        await this.sync(this.queue, schedules);
        this.startWorker(prefix, schedules.length);
        return;
      } catch (error) {
        this.logger.error({
          msg: 'status polling and result pickup not started; trying again',
          attempt,
          error: (error as Error).message,
        });
        await sleep(RETRY_START_MS, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
  }

  /** What should run: a department whose adapter fails to build keeps both tasks (they skip at run time). */
  private async plan(): Promise<Schedule[]> {
    const schedules: Schedule[] = [];
    for (const { config } of this.departments.values()) {
      const code = config.code;
      const [polls, collects] = await Promise.all([
        this.poller.polls(code).catch(() => config.tracking.polling.enabled !== false),
        this.pickup.collects(code).catch(() => true),
      ]);
      if (polls)
        schedules.push({
          id: `poll:${code}`,
          name: TrackingJobName.PollStatus,
          department: code,
          everyMs: pollTickMs(config.tracking.polling),
        });
      if (collects)
        schedules.push({
          id: `results:${code}`,
          name: TrackingJobName.CollectResults,
          department: code,
          everyMs: config.tracking.results.intervalMs,
        });
    }
    return schedules;
  }

  /** Upserts this configuration's schedulers and removes those of departments no longer polled. */
  private async sync(queue: Queue<TrackingJobData>, schedules: Schedule[]): Promise<void> {
    for (const s of schedules) {
      await queue.upsertJobScheduler(
        s.id,
        { every: s.everyMs },
        {
          name: s.name,
          data: { department: s.department },
          opts: { removeOnComplete: { count: 50 }, removeOnFail: { count: 200 } },
        },
      );
    }
    const wanted = new Set(schedules.map((s) => s.id));
    for (const existing of await queue.getJobSchedulers(0, -1)) {
      if (!wanted.has(existing.key)) await queue.removeJobScheduler(existing.key);
    }
    this.logger.log({
      msg: 'status polling and result pickup scheduled',
      schedules: schedules.map((s) => `${s.id} every ${s.everyMs} ms`),
    });
  }

  private startWorker(prefix: string, schedules: number): void {
    if (this.worker || schedules === 0) return;
    this.connection = createRedisConnection(this.runtime.redisUrl, {
      forWorker: true,
      name: 'worker:tracking',
    });
    // One slot per scheduler, so a slow department never delays another's run.
    this.worker = new Worker<TrackingJobData>(TRACKING_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix,
      concurrency: schedules,
    });
    this.worker.on('failed', (job, error) =>
      this.logger.warn({
        msg: 'tracking run failed; the next scheduled run tries again',
        job: job?.name,
        department: job?.data.department,
        error: error.message,
      }),
    );
    this.worker.on('error', (error) =>
      this.logger.warn({ msg: 'tracking worker connection error', error: error.message }),
    );
  }

  private async process(job: Job<TrackingJobData>): Promise<unknown> {
    switch (job.name as TrackingJobName) {
      case TrackingJobName.PollStatus:
        return this.poller.run(job.data.department);
      case TrackingJobName.CollectResults:
        return this.pickup.run(job.data.department);
      default:
        throw new Error(`unknown tracking job ${job.name}`);
    }
  }
}
