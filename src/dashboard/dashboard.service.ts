import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DELIVERY_RUNTIMES } from '../delivery/delivery-tokens';
import type { DepartmentRuntime } from '../delivery/department-runtime';
import { readDepartmentState } from '../delivery/department-state';
import { DeliveryQueues } from '../queue/delivery-queues';
import {
  DASHBOARD_TIME_ZONE,
  type DailySeries,
  type DashboardOverview,
  type DayRange,
  type DepartmentHealth,
  type MinuteBucket,
} from './dashboard-overview';
import { type AttemptCount, DashboardStore } from './dashboard-store';
import { QueueDepthSampler, queueDepth } from './queue-depth-sampler';

const MINUTES = 60;
const LIST_LIMIT = 50;
const LAST_SUCCESS_WINDOW_MS = 24 * 3_600_000;

/** Assembles the dashboard from live state (breakers, queues) and MySQL aggregates. */
@Injectable()
export class DashboardService {
  constructor(
    private readonly store: DashboardStore,
    private readonly sampler: QueueDepthSampler,
    private readonly queues: DeliveryQueues,
    @Inject(DELIVERY_RUNTIMES) private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
  ) {}

  async overview(days: DayRange, now = new Date()): Promise<DashboardOverview> {
    const hourFrom = new Date((Math.floor(now.getTime() / 60_000) - (MINUTES - 1)) * 60_000);
    const deadCounts = await this.store.deadLetterCounts();
    const [states, attempts, deadLetters, overdue, daily] = await Promise.all([
      this.departmentStates(deadCounts, now),
      this.store.attemptsByMinute(hourFrom),
      this.store.deadLetters(LIST_LIMIT),
      this.store.overdueCases(now, LIST_LIMIT),
      this.daily(days, now),
    ]);
    const departments: DepartmentHealth[] = states.map((state) => {
      const own = attempts.filter((a) => a.department === state.code);
      const total = sum(own);
      const failed = sum(own.filter((a) => a.outcome === 'transient'));
      return {
        ...state,
        lastHour: { attempts: total, failed, errorRate: total > 0 ? failed / total : null },
      };
    });
    // This minute's depth is known now: record it, so the chart ends at the table's value.
    await this.sampler.record(now, Object.fromEntries(departments.map((d) => [d.code, d.queue.depth])));
    return {
      generatedAt: now.toISOString(),
      timeZone: DASHBOARD_TIME_ZONE,
      departments,
      lastHour: { from: hourFrom.toISOString(), minutes: await this.minutes(hourFrom, attempts) },
      deadLetters: { total: [...deadCounts.values()].reduce((n, c) => n + c, 0), items: deadLetters },
      overdue,
      daily,
    };
  }

  private async departmentStates(
    deadLetters: ReadonlyMap<string, number>,
    now: Date,
  ): Promise<Array<Omit<DepartmentHealth, 'lastHour'>>> {
    const since = new Date(now.getTime() - LAST_SUCCESS_WINDOW_MS);
    return Promise.all(
      [...this.departments.values()].map(async (runtime) => {
        const code = runtime.config.code;
        const [state, lastSuccess] = await Promise.all([
          readDepartmentState(runtime, this.queues.get(code), now),
          this.store.lastSuccess(code, since),
        ]);
        return {
          ...state,
          queue: { ...state.queue, depth: queueDepth(state.queue.jobs) },
          lastSuccessAt: lastSuccess?.toISOString() ?? null,
          deadLettered: deadLetters.get(code) ?? 0,
        };
      }),
    );
  }

  private async minutes(from: Date, attempts: AttemptCount[]): Promise<MinuteBucket[]> {
    const samples = await this.sampler.read(from, MINUTES);
    return samples.map((sample, slot) => {
      const inSlot = attempts.filter((a) => a.slot === slot);
      const count = (...outcomes: string[]) => sum(inSlot.filter((a) => outcomes.includes(a.outcome)));
      return {
        at: new Date(from.getTime() + slot * 60_000).toISOString(),
        delivered: count('delivered', 'queued'),
        failed: count('transient'),
        rejected: count('permanent'),
        queueDepth: sample ? Object.values(sample).reduce((n, d) => n + d, 0) : null,
      };
    });
  }

  private async daily(days: DayRange, now: Date): Promise<DailySeries> {
    // Asia/Shanghai has no daylight saving time: every day is 24 h, as the SQL day slots assume.
    const today = DateTime.fromJSDate(now).setZone(DASHBOARD_TIME_ZONE).startOf('day');
    const first = today.minus({ days: days - 1 });
    const from = first.toJSDate();
    const to = today.plus({ days: 1 }).toJSDate();
    const counts = await this.store.dailyCounts(from, to, now);
    const names = new Map([...this.departments.values()].map((d) => [d.config.code, d.config.name]));
    for (const c of counts) if (!names.has(c.department)) names.set(c.department, c.department);
    return {
      days,
      from: from.toISOString(),
      to: to.toISOString(),
      departments: [...names].map(([code, name]) => ({
        code,
        name,
        points: Array.from({ length: days }, (_, slot) => {
          const c = counts.find((x) => x.department === code && x.slot === slot);
          const eligible = c?.eligible ?? 0;
          const onTime = c?.onTime ?? 0;
          return {
            day: first.plus({ days: slot }).toISODate()!,
            volume: c?.volume ?? 0,
            eligible,
            onTime,
            rate: eligible > 0 ? Math.round((onTime / eligible) * 10_000) / 10_000 : null,
          };
        }),
      })),
    };
  }
}

function sum(counts: Array<{ n: number }>): number {
  return counts.reduce((n, c) => n + c.n, 0);
}
