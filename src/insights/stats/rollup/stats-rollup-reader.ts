import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { beijingDay, dayRuns, dayStart, planRange, wholeDays, type RangePlan } from '../stats-days';
import type { StatsQuery } from '../stats-query';
import type { DeliveryRow, OutcomeRow, Row } from '../stats-store';
import { GroupTallies, type StoredTally } from './group-tallies';
import { EVERY_SOURCE, FIGURES_KINDS, figuresStatement, type SummedGrouping } from './rollup-statements';
import type { DayAnswer } from './stats-rollup-builder';
import { StatsRollupDays } from './stats-rollup-days';
import { StatsRollupSettings } from './stats-rollup-settings';

/** MySQL's ER_NO_SUCH_TABLE. */
const NO_SUCH_TABLE = 1146;

/**
 * Answers from the daily roll-ups merged with a live read of what they do not cover. Counts are
 * summed; histograms are summed per bucket and ranked by nearest rank, so a percentile over
 * rolled-up and live rows together is the one the live query gives over all of them.
 */
@Injectable()
export class StatsRollupReader {
  private readonly logger = new Logger(StatsRollupReader.name);
  private warnedMissing = false;

  constructor(
    private readonly db: DataSource,
    private readonly settings: StatsRollupSettings,
    private readonly days: StatsRollupDays,
  ) {}

  /**
   * The whole days of the range with a usable roll-up: built, not marked changed, older than the
   * live days, and with on-time figures that still hold at q.now. Everything else is read live.
   */
  async plan(q: StatsQuery): Promise<RangePlan> {
    if (!this.settings.enabled) return planRange(q, new Set());
    // Nothing is created before the oldest case (deliveries carry their case's intake time): a range
    // reaching further back needs neither roll-ups nor a live read for that part.
    const oldest = await this.days.firstDay();
    if (oldest === undefined) return planRange(q, new Set());
    const range = { from: new Date(Math.max(q.from.getTime(), dayStart(oldest).getTime())), to: q.to };
    if (range.from >= range.to) return planRange(q, new Set());
    const { first, end } = wholeDays(range);
    const settledEnd = Math.min(end, beijingDay(q.now) - this.settings.liveDays + 1);
    const days = first < settledEnd ? await this.usableDays(first, settledEnd, q.now) : [];
    return planRange(range, new Set(days));
  }

  /**
   * department, service or region: the stored tallies of the rolled-up days plus the live rows of
   * the rest, summed per group in Node (statements side by side), ranked as the live query ranks.
   */
  async summed(
    q: StatsQuery & { groupBy: SummedGrouping },
    plan: RangePlan,
  ): Promise<{ outcomes: OutcomeRow[]; deliveries: DeliveryRow[] }> {
    const days = daysWhere(plan.days);
    const tallies = new GroupTallies();
    const stored = this.db.query<Array<StoredTally & { gk: string }>>(
      `SELECT gk, statuses, dead_lettered, final_histogram, receipt_histogram FROM stats_rollup_groups
       WHERE scope = ? AND grouped_by = ? AND (${days.where})`,
      [q.source ?? EVERY_SOURCE, q.groupBy, ...days.params],
    );
    const live =
      plan.live.length === 0
        ? []
        : FIGURES_KINDS.map((kind) => {
            const { sql, params } = figuresStatement(kind, q.groupBy, plan.live, q.source, q.now);
            return this.db.query<Row[]>(sql, params).then((rows) => ({ kind, rows }));
          });
    for (const row of await stored) tallies.addStored(row.gk, row);
    for (const { kind, rows } of await Promise.all(live)) tallies.addRows(kind, rows);
    return { outcomes: tallies.outcomes(), deliveries: tallies.deliveries() };
  }

  /** groupBy=day: the stored answers of the rolled-up days, as the live query gave them. */
  async dayAnswers(q: StatsQuery, plan: RangePlan): Promise<DayAnswer[]> {
    const days = daysWhere(plan.days);
    const rows = await this.db.query<Array<{ answer: string }>>(
      `SELECT answer FROM stats_rollup_day_answers WHERE scope = ? AND (${days.where}) ORDER BY day`,
      [q.source ?? EVERY_SOURCE, ...days.params],
    );
    return rows.map((row) => JSON.parse(row.answer) as DayAnswer);
  }

  private async usableDays(first: number, end: number, now: Date): Promise<number[]> {
    try {
      const rows = await this.db.query<Array<{ day: number }>>(
        `SELECT day FROM stats_rollup_days
         WHERE day >= ? AND day < ? AND dirty = 0 AND built_at <= ? AND (valid_until IS NULL OR valid_until >= ?)`,
        [first, end, now, now],
      );
      return rows.map((row) => Number(row.day));
    } catch (error) {
      if ((error as { errno?: number }).errno !== NO_SUCH_TABLE) throw error;
      if (!this.warnedMissing) this.logger.warn('stats roll-up tables missing: statistics are read live');
      this.warnedMissing = true;
      return [];
    }
  }
}

function daysWhere(days: readonly number[]): { where: string; params: number[] } {
  const runs = dayRuns(days);
  if (runs.length === 0) return { where: 'FALSE', params: [] };
  return { where: runs.map(() => 'day BETWEEN ? AND ?').join(' OR '), params: runs.flat() };
}
