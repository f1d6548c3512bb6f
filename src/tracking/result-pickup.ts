import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AdapterRegistry } from '../adapters/adapter-registry';
import type { DepartmentStatusReport } from '../adapters/sdk/department-adapter';
import { DELIVERY_RUNTIMES } from '../delivery/delivery-tokens';
import type { DepartmentRuntime } from '../delivery/department-runtime';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { REDIS, RUNTIME } from '../runtime/tokens';
import { DepartmentReportService } from './department-report.service';
import { TrackingMetrics, type TrackingOutcome } from './tracking-metrics';

/** Rows kept for another try when they could not be applied (database down), per department. */
const MAX_RETAINED = 10_000;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type PickupRun =
  | { skipped: 'unknown department' | 'no result collection' | 'collected elsewhere' }
  | { reports: number; outcomes: Partial<Record<TrackingOutcome, number>>; error?: string };

/**
 * One result pickup of one department: `collectResults` (result files, read and archived by the
 * adapter), each row handed to DepartmentReportService, which accepts, rejects or sends the record
 * again (RESEND). A lock in Redis keeps a department to one process at a time, even when a slow run
 * overlaps the next scheduled one.
 */
@Injectable()
export class ResultPickup {
  private readonly logger = new Logger(ResultPickup.name);
  /** Rows of files already archived whose handling failed: applied at the next run of this process. */
  private readonly retained = new Map<string, DepartmentStatusReport[]>();

  constructor(
    private readonly adapters: AdapterRegistry,
    private readonly reports: DepartmentReportService,
    private readonly metrics: TrackingMetrics,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(RUNTIME) private readonly runtime: GatewayRuntime,
    @Inject(DELIVERY_RUNTIMES) private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
  ) {}

  /** Whether the department's adapter picks up results (file-drop). */
  async collects(code: string): Promise<boolean> {
    if (!this.departments.has(code)) return false;
    return typeof (await this.adapters.get(code)).collectResults === 'function';
  }

  async run(code: string): Promise<PickupRun> {
    const department = this.departments.get(code);
    if (!department) return { skipped: 'unknown department' };
    const adapter = await this.adapters.get(code);
    if (!adapter.collectResults) return { skipped: 'no result collection' };
    const lock = `${this.runtime.env.queuePrefix}:lock:results:${code}`;
    const token = randomUUID();
    // Long enough for a run; short enough that a crashed holder delays results by a minute or two.
    const ttlMs = Math.max(60_000, department.config.delivery.timeoutMs * 2);
    if ((await this.redis.set(lock, token, 'PX', ttlMs, 'NX')) !== 'OK')
      return { skipped: 'collected elsewhere' };
    try {
      return await this.collect(code, () => adapter.collectResults!(new AbortController().signal));
    } finally {
      await this.redis.eval(RELEASE, 1, lock, token).catch(() => undefined);
    }
  }

  private async collect(code: string, read: () => Promise<DepartmentStatusReport[]>): Promise<PickupRun> {
    const outcomes: Partial<Record<TrackingOutcome, number>> = {};
    const pending = this.retained.get(code) ?? [];
    this.retained.delete(code);
    let fresh: DepartmentStatusReport[] = [];
    let error: string | undefined;
    try {
      // Never aborted: the adapter archives each file before it returns its rows, so stopping between
      // files would drop the rows of files already archived.
      fresh = await read();
    } catch (failure) {
      error = (failure as Error).message ?? String(failure);
      this.logger.warn({ msg: 'result pickup failed; tried again at the next run', department: code, error });
    }
    const failed: DepartmentStatusReport[] = [];
    for (const report of [...pending, ...fresh]) {
      const outcome = await this.apply(code, report).catch((failure: Error) => {
        failed.push(report);
        this.logger.error({
          msg: 'result row not applied; kept for the next run',
          department: code,
          deliveryId: report.deliveryId,
          error: failure.message,
        });
        return 'error' as const;
      });
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      this.metrics.report(code, 'result-file', outcome);
    }
    if (failed.length > 0) this.retained.set(code, failed.slice(-MAX_RETAINED));
    const run = { reports: pending.length + fresh.length, outcomes, ...(error ? { error } : {}) };
    if (run.reports > 0) this.logger.log({ msg: 'department results picked up', department: code, ...run });
    return run;
  }

  private async apply(code: string, report: DepartmentStatusReport): Promise<TrackingOutcome> {
    const handled = await this.reports.handle({ department: code, via: 'result-file', parsed: report });
    if (handled.kind === 'unreadable' || handled.kind === 'unknown-delivery')
      this.logger.warn({
        msg: handled.kind === 'unreadable' ? 'result row not readable' : 'result row names no known delivery',
        department: code,
        deliveryId: report.deliveryId,
        ...(handled.kind === 'unreadable' ? { errors: handled.errors } : {}),
      });
    return handled.kind;
  }
}
