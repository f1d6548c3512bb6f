import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inTransaction } from '../../../persistence/transaction';
import { dayRange } from '../stats-days';
import { StatsStore, type DeliveryRow, type OutcomeRow, type Row } from '../stats-store';
import { GroupTallies, storedTally } from './group-tallies';
import {
  EVERY_SOURCE,
  FIGURES_KINDS,
  figuresStatement,
  SUMMED_GROUPINGS,
  validUntilStatement,
  type SummedGrouping,
} from './rollup-statements';

/** What stats_rollup_day_answers holds: the live answer for groupBy=day over one whole day. */
export interface DayAnswer {
  outcomes: OutcomeRow[];
  deliveries: DeliveryRow[];
}

/**
 * Rebuilds one Beijing day's roll-up rows from the covering indexes (plain reads: nothing on the
 * cases or deliveries is locked), then replaces the old rows in one transaction, so readers see the
 * old day or the new one, never half. The reads are not one snapshot: a change landing meanwhile
 * stamps updated_at after the pass began, so the next pass rebuilds the day again. `builtAt` is the
 * `now` of the on-time figures; the day's valid_until says until when they hold.
 */
@Injectable()
export class StatsRollupBuilder {
  constructor(
    private readonly db: DataSource,
    private readonly live: StatsStore,
  ) {}

  async buildDay(day: number, builtAt = new Date()): Promise<void> {
    const range = dayRange(day);
    const answers = await this.dayAnswers(day, builtAt);
    const groups: unknown[][] = [];
    for (const groupBy of SUMMED_GROUPINGS) groups.push(...(await this.groupRows(groupBy, day, builtAt)));
    const validUntil = validUntilStatement(range, builtAt);
    await inTransaction(this.db, async (runner) => {
      for (const table of ['stats_rollup_groups', 'stats_rollup_day_answers'])
        await runner.query(`DELETE FROM ${table} WHERE day = ?`, [day]);
      if (groups.length > 0)
        await runner.query(
          `INSERT INTO stats_rollup_groups (scope, grouped_by, day, gk, statuses, dead_lettered, final_histogram,
             receipt_histogram) VALUES ${groups.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          groups.flat(),
        );
      if (answers.length > 0)
        await runner.query(
          `INSERT INTO stats_rollup_day_answers (day, scope, answer) VALUES ${answers.map(() => '(?, ?, ?)').join(', ')}`,
          answers.flatMap((a) => [day, a.scope, JSON.stringify(a.answer)]),
        );
      const [{ due }] = (await runner.query(validUntil.sql, validUntil.params)) as Array<{
        due: Date | null;
      }>;
      await runner.query(
        `INSERT INTO stats_rollup_days (day, built_at, valid_until, dirty) VALUES (?, ?, ?, 0)
         ON DUPLICATE KEY UPDATE built_at = VALUES(built_at), valid_until = VALUES(valid_until), dirty = 0`,
        [day, builtAt, due],
      );
    });
  }

  /** stats_rollup_groups rows of one grouping and day: per source, and over every source. */
  private async groupRows(groupBy: SummedGrouping, day: number, builtAt: Date): Promise<unknown[][]> {
    const scopes = new Map<string, GroupTallies>();
    const tallies = (scope: string) => {
      let found = scopes.get(scope);
      if (!found) scopes.set(scope, (found = new GroupTallies()));
      return found;
    };
    for (const kind of FIGURES_KINDS) {
      const { sql, params } = figuresStatement(kind, groupBy, [dayRange(day)], undefined, builtAt);
      const rows = await this.db.query<Row[]>(sql, params);
      tallies(EVERY_SOURCE).addRows(kind, rows);
      // '' = deliveries without their case's source: counted for admin only, as live.
      for (const row of rows) if (row.src !== '') tallies(String(row.src)).addRows(kind, [row]);
    }
    const rows: unknown[][] = [];
    for (const [scope, byKey] of scopes)
      for (const [key, tally] of byKey.entries()) {
        const stored = storedTally(tally);
        rows.push([
          scope,
          groupBy,
          day,
          key,
          stored.statuses,
          stored.dead_lettered,
          stored.final_histogram,
          stored.receipt_histogram,
        ]);
      }
    return rows;
  }

  /** groupBy=day for this day, over every source and per source: exactly what the live query says. */
  private async dayAnswers(day: number, builtAt: Date): Promise<Array<{ scope: string; answer: DayAnswer }>> {
    const range = dayRange(day);
    const sources = await this.db.query<Array<{ source: string }>>(
      `SELECT DISTINCT c.source AS source FROM cases c WHERE c.created_at >= ? AND c.created_at < ?
       UNION SELECT DISTINCT d.case_source FROM deliveries d
       WHERE d.created_at >= ? AND d.created_at < ? AND d.case_source IS NOT NULL`,
      [range.from, range.to, range.from, range.to],
    );
    if (sources.length === 0) return [];
    const scopes: Array<string | undefined> = [undefined, ...sources.map((s) => s.source)];
    const answers: Array<{ scope: string; answer: DayAnswer }> = [];
    // One scope at a time: a first build of a year runs next to live traffic.
    for (const source of scopes) {
      const q = { groupBy: 'day' as const, ...range, source, now: builtAt };
      const [outcomes, deliveries] = await Promise.all([this.live.outcomes(q), this.live.deliveries(q)]);
      answers.push({ scope: source ?? EVERY_SOURCE, answer: { outcomes, deliveries } });
    }
    return answers;
  }
}
