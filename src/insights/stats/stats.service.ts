import type { RegionTable } from '../../regions/region-table';
import type { StatsRollupReader } from './rollup/stats-rollup-reader';
import type { RangePlan } from './stats-days';
import { STATS_TIME_ZONE, type StatsGrouping, type StatsQuery } from './stats-query';
import type { DeliveryRow, OutcomeRow, StatsStore } from './stats-store';

export interface DurationFigures {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface StatsGroup {
  key: string;
  name: string | null;
  total: number;
  byStatus: Record<string, number>;
  toDelivery: DurationFigures;
  toFinal: DurationFigures;
  onTime: { eligible: number; onTime: number; rate: number | null };
  deadLettered: number;
}

export interface StatsReport {
  groupBy: StatsGrouping;
  from: string;
  to: string;
  timeZone: string;
  source: string | null;
  generatedAt: string;
  unit: 'delivery' | 'case';
  groups: StatsGroup[];
}

const DAY_MS = 86_400_000;
const liveMs = (plan: RangePlan) => plan.live.reduce((ms, r) => ms + r.to.getTime() - r.from.getTime(), 0);

const NO_DURATIONS: DurationFigures = { count: 0, medianSeconds: null, p90Seconds: null };

/**
 * GET /stats: the two aggregate statements run side by side (two connections), merged per group.
 * Whole days with a usable roll-up are summed from it; the rest of the range is read live.
 */
export class StatsService {
  constructor(
    private readonly store: StatsStore,
    private readonly regions: RegionTable,
    /** Without it (bench/seed-cases.ts times the live statements) every answer is read live. */
    private readonly rollups?: StatsRollupReader,
  ) {}

  async report(q: StatsQuery): Promise<StatsReport> {
    const plan = this.rollups ? await this.rollups.plan(q) : undefined;
    const [outcomes, deliveries] = await this.figures(q, plan);
    const byKey = new Map(deliveries.map((d) => [d.key, d]));
    const groups = outcomes.map((outcome): StatsGroup => {
      const group = this.emptyGroup(q.groupBy, outcome.key);
      for (const s of outcome.statuses) {
        group.total += s.count;
        group.byStatus[s.status] = s.count;
        group.onTime.eligible += s.eligible;
        group.onTime.onTime += s.onTime;
      }
      const { eligible, onTime } = group.onTime;
      group.onTime.rate = eligible === 0 ? null : Math.round((onTime / eligible) * 10_000) / 10_000;
      group.toFinal = outcome.toFinal;
      const delivery = byKey.get(outcome.key);
      if (delivery) {
        group.toDelivery = delivery.toDelivery;
        group.deadLettered = delivery.deadLettered;
      }
      return group;
    });
    return {
      groupBy: q.groupBy,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      timeZone: STATS_TIME_ZONE,
      source: q.source ?? null,
      generatedAt: q.now.toISOString(),
      unit: q.groupBy === 'department' ? 'delivery' : 'case',
      groups: groups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    };
  }

  private async figures(q: StatsQuery, plan: RangePlan | undefined): Promise<[OutcomeRow[], DeliveryRow[]]> {
    if (!this.rollups || !plan || plan.days.length === 0)
      return Promise.all([this.store.outcomes(q), this.store.deliveries(q)]);
    if (q.groupBy !== 'day') {
      // The live part comes back as histogram rows: worth it while the roll-ups hold most of the range.
      if (liveMs(plan) > plan.days.length * DAY_MS)
        return Promise.all([this.store.outcomes(q), this.store.deliveries(q)]);
      const { outcomes, deliveries } = await this.rollups.summed({ ...q, groupBy: q.groupBy }, plan);
      return [outcomes, deliveries];
    }
    // A day is either rolled up whole or read live whole: its groups never need merging.
    const [stored, outcomes, deliveries] = await Promise.all([
      this.rollups.dayAnswers(q, plan),
      plan.live.length > 0 ? this.store.outcomes(q, plan.live) : [],
      plan.live.length > 0 ? this.store.deliveries(q, plan.live) : [],
    ]);
    return [
      [...outcomes, ...stored.flatMap((day) => day.outcomes)],
      [...deliveries, ...stored.flatMap((day) => day.deliveries)],
    ];
  }

  private emptyGroup(groupBy: StatsGrouping, key: string): StatsGroup {
    return {
      key,
      name: groupBy === 'region' ? (this.regions.describe(key).county ?? null) : null,
      total: 0,
      byStatus: {},
      toDelivery: NO_DURATIONS,
      toFinal: NO_DURATIONS,
      onTime: { eligible: 0, onTime: 0, rate: null },
      deadLettered: 0,
    };
  }
}
