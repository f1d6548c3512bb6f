import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { IntervalLoop } from '../../common/background/interval-loop';
import { CaseEventsPublisher } from '../../gateway/events/case-events.publisher';
import { RedisLease } from '../../queue/redis-lease';
import type { GatewayRuntime } from '../../runtime/gateway-runtime';
import { REDIS, RUNTIME } from '../../runtime/tokens';
import { OverdueStore } from './overdue-store';

const BATCH = 500;
/** A backlog (first start on old data) is worked off over several passes, not in one long one. */
const MAX_BATCHES_PER_PASS = 20;

/**
 * Marks open cases past their due time as overdue, on worker processes, one process at a time (Redis
 * lease). Each marked case gets CASE_OVERDUE in its timeline and a `case.overdue` event, emitted
 * after the commit.
 */
@Injectable()
export class OverdueScanner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OverdueScanner.name);
  private readonly loop: IntervalLoop;
  private readonly lease: RedisLease;
  private running = false;

  constructor(
    @Inject(RUNTIME) private readonly runtime: GatewayRuntime,
    @Inject(REDIS) redis: Redis,
    private readonly store: OverdueStore,
    private readonly events: CaseEventsPublisher,
  ) {
    const { overdueIntervalMs, queuePrefix } = runtime.env;
    this.loop = new IntervalLoop(OverdueScanner.name, overdueIntervalMs, () => this.runOnce());
    this.lease = new RedisLease(redis, `${queuePrefix}:lock:overdue-scan`, overdueIntervalMs * 3);
  }

  onApplicationBootstrap(): void {
    if (this.runtime.env.role === 'api') return;
    this.loop.start();
    this.running = true;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.running) await this.loop.stop();
    this.running = false;
  }

  /** One pass; returns how many cases it marked. */
  async runOnce(now = new Date()): Promise<number> {
    if (!(await this.lease.acquire())) return 0;
    let marked = 0;
    for (let i = 0; i < MAX_BATCHES_PER_PASS; i++) {
      const batch = await this.store.markBatch(now, BATCH);
      for (const c of batch) {
        this.events.overdue({
          caseId: c.id,
          externalId: c.externalId,
          source: c.source,
          serviceCode: c.serviceCode,
          status: c.status,
          dueAt: c.dueAt.toISOString(),
          overdueAt: now.toISOString(),
        });
      }
      marked += batch.length;
      if (batch.length < BATCH) break;
    }
    if (marked > 0) this.logger.log({ msg: 'cases marked overdue', count: marked });
    return marked;
  }
}
