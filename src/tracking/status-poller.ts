import { Inject, Injectable, Logger } from '@nestjs/common';
import { AdapterRegistry } from '../adapters/adapter-registry';
import type { DepartmentAdapter } from '../adapters/sdk/department-adapter';
import { scrubPersonalData } from '../common/masking';
import { CircuitState } from '../delivery/circuit-breaker';
import { DELIVERY_RUNTIMES } from '../delivery/delivery-tokens';
import type { DepartmentRuntime } from '../delivery/department-runtime';
import { DepartmentReportService } from './department-report.service';
import { PollBudget } from './poll-budget';
import { PollStore, type DuePoll } from './poll-store';
import { TrackingMetrics, type TrackingOutcome } from './tracking-metrics';
import { callsPerRun, pollGapMs, pollTickMs } from './tracking-schedule';

/** A claimed delivery is due again this long after its call's timeout, should this process die mid-call. */
const CLAIM_MARGIN_MS = 30_000;
/** Newly delivered rows are looked for among rows changed since the last look, minus this (late commits). */
const LOOK_BACK_MS = 5 * 60_000;
/** …and among all of the department's open rows this often (rows changed by a process with a bad clock). */
const FULL_LOOK_EVERY_MS = 10 * 60_000;

export type PollRun =
  | { skipped: 'unknown department' | 'disabled' | 'closed' | 'circuit open' | 'no status call' }
  | { due: number; polled: number; deferred: number; outcomes: Partial<Record<TrackingOutcome, number>> };

/**
 * One polling run of one department: schedules newly delivered deliveries, takes the due ones up to
 * the department's budget, asks the department about each (with its delivery timeout) and hands every
 * answer to DepartmentReportService. An answer that says nothing new doubles the gap; an error keeps
 * the delivery scheduled with the same backoff; a final status ends its polling.
 */
@Injectable()
export class StatusPoller {
  private readonly logger = new Logger(StatusPoller.name);
  private readonly looks = new Map<string, { last: number; full: number }>();

  constructor(
    private readonly adapters: AdapterRegistry,
    private readonly store: PollStore,
    private readonly budget: PollBudget,
    private readonly reports: DepartmentReportService,
    private readonly metrics: TrackingMetrics,
    @Inject(DELIVERY_RUNTIMES) private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
  ) {}

  /** Polled: not switched off (`tracking.polling.enabled: false`) and the adapter has checkStatus. */
  async polls(code: string): Promise<boolean> {
    const department = this.departments.get(code);
    if (!department || department.config.tracking.polling.enabled === false) return false;
    return typeof (await this.adapters.get(code)).checkStatus === 'function';
  }

  async run(code: string, now = Date.now()): Promise<PollRun> {
    const department = this.departments.get(code);
    if (!department) return { skipped: 'unknown department' };
    const { polling } = department.config.tracking;
    if (polling.enabled === false) return { skipped: 'disabled' };
    // Nothing moves while it is closed (maintenance window, outside office hours): ask once it opens.
    if (!department.calendar.isOpen(new Date(now))) return { skipped: 'closed' };
    // A department that is down gets no status calls either; its probe reopens it.
    if ((await department.breaker.snapshot()).state === CircuitState.Open) return { skipped: 'circuit open' };
    const adapter = await this.adapters.get(code);
    if (!adapter.checkStatus) return { skipped: 'no status call' };

    await this.scheduleNew(code, polling.initialIntervalMs, now);
    await this.store.clearStale(code, new Date(now));
    const due = await this.store.due(code, new Date(now), callsPerRun(polling, pollTickMs(polling)));
    if (due.length === 0) return { due: 0, polled: 0, deferred: 0, outcomes: {} };

    const grant = await this.budget.take(code, polling.callsPerMinute, due.length, now);
    const { timeoutMs, concurrency } = department.config.delivery;
    const until = new Date(now + timeoutMs + CLAIM_MARGIN_MS);
    const claimed: DuePoll[] = [];
    for (const row of due.slice(0, grant.granted)) {
      if (await this.store.claim(row.id, new Date(now), until)) claimed.push(row);
    }
    await grant.giveBack(grant.granted - claimed.length);

    const outcomes: Partial<Record<TrackingOutcome, number>> = {};
    await eachLimited(claimed, concurrency, async (row) => {
      const outcome = await this.pollOne(department, adapter, row);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    });
    const run = { due: due.length, polled: claimed.length, deferred: due.length - grant.granted, outcomes };
    this.logger.debug({ msg: 'status polling run', department: code, ...run });
    return run;
  }

  private async pollOne(
    department: DepartmentRuntime,
    adapter: DepartmentAdapter,
    row: DuePoll,
  ): Promise<TrackingOutcome> {
    const code = department.config.code;
    let outcome: TrackingOutcome;
    try {
      const report = await adapter.checkStatus!({
        deliveryId: row.id,
        receiptRef: row.receiptRef ?? undefined,
        signal: AbortSignal.timeout(department.config.delivery.timeoutMs),
      });
      if (!report) {
        outcome = 'not-found';
        this.logger.warn({
          msg: 'department does not know a delivered delivery',
          department: code,
          deliveryId: row.id,
        });
      } else {
        const handled = await this.reports.handle({
          department: code,
          via: 'poll',
          parsed: report,
          deliveryId: row.id,
        });
        outcome = handled.kind;
        if (handled.kind === 'unreadable')
          this.logger.warn({
            msg: 'status answer not readable',
            department: code,
            deliveryId: row.id,
            errors: handled.errors,
          });
      }
    } catch (error) {
      outcome = 'error';
      this.logger.warn({
        msg: 'status call failed; the delivery stays scheduled',
        department: code,
        deliveryId: row.id,
        error: scrubPersonalData((error as Error).message ?? String(error)),
      });
    }
    // A change starts the gaps over; anything else (the same status, an error) doubles the gap.
    const unchanged = outcome === 'applied' ? 0 : row.polls + 1;
    const next = new Date(Date.now() + pollGapMs(unchanged, department.config.tracking.polling));
    try {
      await this.store.reschedule(row.id, next, unchanged);
    } catch (error) {
      // The claim already made it due again after the call's timeout: nothing is lost.
      this.logger.warn({ msg: 'poll not rescheduled', deliveryId: row.id, error: (error as Error).message });
    }
    this.metrics.report(code, 'poll', outcome);
    return outcome;
  }

  /** Gives newly delivered deliveries their first poll time (`initialIntervalMs` after delivery). */
  private async scheduleNew(code: string, initialMs: number, now: number): Promise<void> {
    const look = this.looks.get(code);
    const full = !look || now - look.full >= FULL_LOOK_EVERY_MS;
    const since = full ? undefined : new Date(look.last - LOOK_BACK_MS);
    await this.store.scheduleNew(code, initialMs, since);
    this.looks.set(code, { last: now, full: full ? now : look.full });
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
}
