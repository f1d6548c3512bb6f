import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { IntervalLoop } from '../common/background/interval-loop';
import { QUEUE_JOB_STATES } from '../delivery/department-state';
import { DeliveryQueues } from '../queue/delivery-queues';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { REDIS, RUNTIME } from '../runtime/tokens';

const SAMPLE_EVERY_MS = 15_000;
const KEEP_SECONDS = 2 * 3_600;

/** Jobs not yet done: what a department still has to work through. */
export function queueDepth(jobs: Record<string, number>): number {
  return (jobs.waiting ?? 0) + (jobs.active ?? 0) + (jobs.delayed ?? 0) + (jobs.paused ?? 0);
}

/**
 * BullMQ keeps no history of queue depth, so api processes sample it into Redis, one key per minute
 * (the last sample of the minute wins; several processes overwrite each other harmlessly), kept
 * two hours. The dashboard draws the last hour from it.
 */
@Injectable()
export class QueueDepthSampler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop = new IntervalLoop(QueueDepthSampler.name, SAMPLE_EVERY_MS, () => this.sample());
  private readonly keyPrefix: string;

  constructor(
    @Inject(RUNTIME) private readonly runtime: GatewayRuntime,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly queues: DeliveryQueues,
  ) {
    this.keyPrefix = `${runtime.env.queuePrefix}:dashboard:depth:`;
  }

  onApplicationBootstrap(): void {
    if (this.runtime.env.role !== 'worker') this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  async sample(now = new Date()): Promise<void> {
    const depths: Record<string, number> = {};
    for (const queue of this.queues.all()) {
      const department = queue.name.replace(/^delivery\./, '');
      depths[department] = queueDepth(await queue.getJobCounts(...QUEUE_JOB_STATES));
    }
    await this.record(now, depths);
  }

  async record(at: Date, depths: Record<string, number>): Promise<void> {
    await this.redis.set(this.key(minuteOf(at)), JSON.stringify(depths), 'EX', KEEP_SECONDS);
  }

  /** The samples of `minutes` minutes from `from` (minute-aligned); null where none was taken. */
  async read(from: Date, minutes: number): Promise<Array<Record<string, number> | null>> {
    const first = minuteOf(from);
    const keys = Array.from({ length: minutes }, (_, i) => this.key(first + i));
    const values = await this.redis.mget(...keys);
    return values.map((v) => (v ? (JSON.parse(v) as Record<string, number>) : null));
  }

  private key(minute: number): string {
    return `${this.keyPrefix}${minute}`;
  }
}

function minuteOf(at: Date): number {
  return Math.floor(at.getTime() / 60_000);
}
