import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { IntervalLoop } from '../../../common/background/interval-loop';
import { RedisLease } from '../../../queue/redis-lease';
import type { GatewayRuntime } from '../../../runtime/gateway-runtime';
import { REDIS, RUNTIME } from '../../../runtime/tokens';
import { StatsRollupPass } from './stats-rollup-pass';
import { StatsRollupSettings } from './stats-rollup-settings';

/**
 * Keeps the daily roll-ups of GET /stats fresh: a pass every TONGBAN_STATS_REFRESH_INTERVAL_MS on
 * worker processes, one process at a time (Redis lease, renewed before each day it builds). The
 * first pass starts right after start-up and builds every day of the data in the background;
 * answers stay live, and correct, until a day is built.
 */
@Injectable()
export class StatsRollupRefresher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StatsRollupRefresher.name);
  private readonly loop: IntervalLoop;
  private readonly lease: RedisLease;
  private running = false;
  private stopping = false;
  private inFlight?: Promise<number>;

  constructor(
    @Inject(RUNTIME) private readonly runtime: GatewayRuntime,
    @Inject(REDIS) redis: Redis,
    private readonly settings: StatsRollupSettings,
    private readonly pass: StatsRollupPass,
  ) {
    const { refreshIntervalMs } = settings;
    this.loop = new IntervalLoop(StatsRollupRefresher.name, refreshIntervalMs, () => this.runOnce());
    this.lease = new RedisLease(redis, `${runtime.env.queuePrefix}:lock:stats-rollup`, refreshIntervalMs * 3);
  }

  onApplicationBootstrap(): void {
    if (this.runtime.env.role === 'api' || !this.settings.enabled) return;
    this.loop.start();
    this.running = true;
    // Not awaited: start-up never waits for a first build.
    setTimeout(() => {
      this.runOnce().catch((error: Error) =>
        this.logger.warn(`first pass failed, will retry: ${error.message}`),
      );
    }, 0).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.running) await this.loop.stop();
    await this.inFlight?.catch(() => undefined);
    this.running = false;
  }

  /** One pass; returns how many days it built. A call during a pass shares that pass. */
  runOnce(): Promise<number> {
    this.inFlight ??= this.refresh().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async refresh(): Promise<number> {
    if (!(await this.lease.acquire())) return 0;
    return this.pass.run(async () => !this.stopping && (await this.lease.acquire()));
  }
}
