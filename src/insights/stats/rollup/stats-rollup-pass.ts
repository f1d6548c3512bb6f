import { Injectable, Logger } from '@nestjs/common';
import { beijingDay, dayLabel } from '../stats-days';
import { daysToBuild } from './days-to-build';
import { StatsRollupBuilder } from './stats-rollup-builder';
import { StatsRollupDays } from './stats-rollup-days';
import { StatsRollupSettings } from './stats-rollup-settings';

/**
 * Changes are looked for from a little before the last pass began: a transaction stamps
 * updated_at before it commits, so one still open when the last pass looked is seen by this one.
 */
const COMMIT_LAG_MS = 30_000;
const PROGRESS_EVERY_MS = 10_000;
/** A pass rebuilding more days than this (a first build, a catch-up) logs at info level. */
const NEWSWORTHY_DAYS = 7;

/**
 * One refresh of the daily roll-ups: marks the days whose deliveries changed since the last pass
 * (readers then read them live), then rebuilds every settled day that is missing, changed, or
 * whose on-time figures ran out, newest first, logging progress. Whoever runs it makes sure one
 * process at a time does (the refresher holds a Redis lease; the bench runs it alone).
 */
@Injectable()
export class StatsRollupPass {
  private readonly logger = new Logger(StatsRollupPass.name);

  constructor(
    private readonly settings: StatsRollupSettings,
    private readonly days: StatsRollupDays,
    private readonly builder: StatsRollupBuilder,
  ) {}

  /** Returns how many days it built; `mayGoOn` is asked before each day (lease kept, not stopping). */
  async run(mayGoOn: () => Promise<boolean> = async () => true): Promise<number> {
    const startedAt = new Date();
    const seenUntil = await this.days.watermark();
    if (seenUntil) {
      await this.days.markDirty(await this.days.changedSince(new Date(seenUntil.getTime() - COMMIT_LAG_MS)));
    } else {
      await this.days.markAllDirty(); // no record of what was looked at: trust no roll-up
    }
    await this.days.setWatermark(startedAt);
    const first = await this.days.firstDay();
    const settledEnd = beijingDay(startedAt) - this.settings.liveDays + 1;
    if (first === undefined || first >= settledEnd) return 0;
    const todo = daysToBuild(first, settledEnd, await this.days.rolled(first, settledEnd), startedAt);
    if (todo.length === 0) return 0;
    const report = (fields: Record<string, unknown>) =>
      todo.length > NEWSWORTHY_DAYS ? this.logger.log(fields) : this.logger.debug(fields);
    report({
      msg: 'stats roll-up: building days',
      days: todo.length,
      span: `${dayLabel(todo[todo.length - 1])} … ${dayLabel(todo[0])}`,
    });
    let built = 0;
    let reported = Date.now();
    for (const day of todo) {
      if (!(await mayGoOn())) break;
      await this.builder.buildDay(day);
      built++;
      if (Date.now() - reported >= PROGRESS_EVERY_MS) {
        this.logger.log({ msg: 'stats roll-up: progress', built, of: todo.length, last: dayLabel(day) });
        reported = Date.now();
      }
    }
    const seconds = Math.round((Date.now() - startedAt.getTime()) / 100) / 10;
    report({ msg: 'stats roll-up: days built', built, of: todo.length, seconds });
    return built;
  }
}
