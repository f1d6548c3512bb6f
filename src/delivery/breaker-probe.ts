import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AdapterRegistry } from '../adapters/adapter-registry';
import { IntervalLoop } from '../common/background/interval-loop';
import type { DeliveryQueues } from '../queue/delivery-queues';
import { CircuitState } from './circuit-breaker';
import type { DeliveryMetrics } from './delivery-metrics';
import type { DepartmentRuntime } from './department-runtime';

/**
 * Probes departments whose circuit is open once their cool-down has passed (one process at a time,
 * at most one probe per department per cool-down) and resumes their queue when the probe succeeds.
 */
export class BreakerProbe {
  private readonly logger = new Logger(BreakerProbe.name);
  private readonly loop: IntervalLoop;

  constructor(
    private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
    private readonly adapters: AdapterRegistry,
    private readonly queues: DeliveryQueues,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly metrics: DeliveryMetrics,
    intervalMs = 1_000,
  ) {
    this.loop = new IntervalLoop(BreakerProbe.name, intervalMs, () => this.runOnce());
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  async runOnce(now = Date.now()): Promise<void> {
    for (const department of this.departments.values()) {
      try {
        await this.probe(department, now);
      } catch (error) {
        this.logger.warn({
          msg: 'breaker probe failed to run',
          department: department.config.code,
          error: (error as Error).message,
        });
      }
    }
  }

  private async probe(department: DepartmentRuntime, now: number): Promise<void> {
    const code = department.config.code;
    const snapshot = await department.breaker.snapshot();
    const queue = this.queues.get(code);
    if (snapshot.state !== CircuitState.Open) {
      // A process that died between opening the circuit and resuming leaves the queue paused.
      if (await queue.isPaused()) await queue.resume();
      return;
    }
    if (now < snapshot.nextProbeAt) return;
    const lock = await this.redis.set(
      `${this.prefix}:lock:probe:${code}`,
      '1',
      'PX',
      Math.max(1_000, snapshot.cooldownMs),
      'NX',
    );
    if (lock !== 'OK') return;
    const adapter = await this.adapters.get(code);
    const health = await adapter
      .healthCheck(AbortSignal.timeout(department.config.delivery.timeoutMs))
      .catch((error: Error) => ({ ok: false, detail: error.message }));
    const next = await department.breaker.record(health.ok ? 'probe-ok' : 'probe-failed');
    this.metrics.circuit(code, next.state);
    if (health.ok) {
      this.logger.log({ msg: 'probe succeeded: department queue resumed (half-open)', department: code });
      await queue.resume();
    } else {
      this.logger.warn({
        msg: 'probe failed: circuit stays open',
        department: code,
        detail: health.detail,
        nextProbeAt: new Date(next.nextProbeAt).toISOString(),
      });
    }
  }
}
