/*
 * Beijing calendar days as MariaDB numbers them (TO_DAYS(created_at + INTERVAL 8 HOUR)), and how a
 * requested range splits into whole rolled-up days and the parts left to read live. Beijing time
 * has had no daylight saving since 1991, so a fixed +8 h gives its calendar day.
 */

/** TO_DAYS('1970-01-01'). */
export const UNIX_EPOCH_DAY = 719_528;
const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** [from, to). */
export interface TimeRange {
  from: Date;
  to: Date;
}

/** The day an instant falls on in Beijing. */
export function beijingDay(at: Date): number {
  return Math.floor((at.getTime() + BEIJING_OFFSET_MS) / DAY_MS) + UNIX_EPOCH_DAY;
}

/** Midnight (Beijing) that starts `day`. */
export function dayStart(day: number): Date {
  return new Date((day - UNIX_EPOCH_DAY) * DAY_MS - BEIJING_OFFSET_MS);
}

export function dayRange(day: number): TimeRange {
  return { from: dayStart(day), to: dayStart(day + 1) };
}

/** yyyy-MM-dd, the key groupBy=day answers with. */
export function dayLabel(day: number): string {
  return new Date((day - UNIX_EPOCH_DAY) * DAY_MS).toISOString().slice(0, 10);
}

/** The whole days inside [from, to), as [first, end). Empty when first >= end. */
export function wholeDays(range: TimeRange): { first: number; end: number } {
  const firstTouched = beijingDay(range.from);
  const first = dayStart(firstTouched).getTime() < range.from.getTime() ? firstTouched + 1 : firstTouched;
  return { first, end: beijingDay(range.to) };
}

export interface RangePlan {
  /** Whole days answered from roll-ups, ascending. */
  days: number[];
  /** What is left, read live: partial days at the edges and whole days without a usable roll-up. */
  live: TimeRange[];
}

/** Splits [from, to) into the rolled-up days it can use and the time ranges to read live. */
export function planRange(range: TimeRange, rolledUp: ReadonlySet<number>): RangePlan {
  const { first, end } = wholeDays(range);
  const days: number[] = [];
  const live: TimeRange[] = [];
  const addLive = (from: Date, to: Date) => {
    if (from.getTime() >= to.getTime()) return;
    const last = live[live.length - 1];
    if (last && last.to.getTime() === from.getTime()) last.to = to;
    else live.push({ from, to });
  };
  if (first >= end) return { days, live: [{ from: range.from, to: range.to }] };
  addLive(range.from, dayStart(first));
  for (let day = first; day < end; day++) {
    if (rolledUp.has(day)) days.push(day);
    else addLive(dayStart(day), dayStart(day + 1));
  }
  addLive(dayStart(end), range.to);
  return { days, live };
}

/** Ascending days as contiguous runs [low, high] (inclusive), for `day BETWEEN ? AND ?`. */
export function dayRuns(days: readonly number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const day of days) {
    const last = runs[runs.length - 1];
    if (last && last[1] === day - 1) last[1] = day;
    else runs.push([day, day]);
  }
  return runs;
}
