import type { RegionTable } from '../../regions/region-table';
import { STATS_TIME_ZONE, type StatsGrouping, type StatsQuery } from './stats-query';
import type { StatsStore } from './stats-store';

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

const NO_DURATIONS: DurationFigures = { count: 0, medianSeconds: null, p90Seconds: null };

/** GET /stats: the two aggregate statements run side by side (two connections), merged per group. */
export class StatsService {
  constructor(
    private readonly store: StatsStore,
    private readonly regions: RegionTable,
  ) {}

  async report(q: StatsQuery): Promise<StatsReport> {
    const [outcomes, deliveries] = await Promise.all([this.store.outcomes(q), this.store.deliveries(q)]);
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
