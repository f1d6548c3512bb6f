import type { RolledDay } from './stats-rollup-days';

/**
 * The settled days [first, settledEnd) the refresher must (re)build, newest first so that the
 * usual "last 30 days" is served from roll-ups soonest: never built, marked changed, or with
 * on-time figures that no longer hold (an open case's due time has passed since the build).
 */
export function daysToBuild(
  first: number,
  settledEnd: number,
  rolled: readonly RolledDay[],
  now: Date,
): number[] {
  const byDay = new Map(rolled.map((r) => [r.day, r]));
  const todo: number[] = [];
  for (let day = settledEnd - 1; day >= first; day--) {
    const r = byDay.get(day);
    if (!r || r.dirty || (r.validUntil !== null && r.validUntil.getTime() < now.getTime())) todo.push(day);
  }
  return todo;
}
