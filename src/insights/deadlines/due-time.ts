import { DateTime } from 'luxon';

/** A service's promised handling time (承诺办结时限), from config/services.yaml. */
export interface HandlingPromise {
  workingDays?: number;
  hours?: number;
}

/** Which dates are working days; HolidayCalendar (public holidays and 调休) fits. */
export interface WorkingDays {
  /** `date` is yyyy-MM-dd; weekday 1 = Monday … 7 = Sunday. */
  isWorkingDay(date: string, weekday: number): boolean;
}

const DAY_MS = 86_400_000;
/** Ten years of days off in a row means a broken calendar, not a deadline. */
const MAX_DAYS = 3660;

/**
 * When a promised handling time runs out, or null when the service promises none.
 * - `hours`: clock hours from acceptance, nights and days off included (it wins when both are set).
 * - `workingDays`: counted from the day after acceptance (受理次日起算), skipping weekends and public
 *   holidays and counting adjusted working Saturdays/Sundays (调休); due at the end of the last one
 *   (23:59:59.999 in `timeZone`). 0 means the same day (即办), or the next working day when accepted
 *   on a day off.
 */
export function dueTime(
  acceptedAt: Date,
  promise: HandlingPromise,
  calendar: WorkingDays,
  timeZone: string,
): Date | null {
  if (promise.hours !== undefined) return new Date(acceptedAt.getTime() + promise.hours * 3_600_000);
  if (promise.workingDays === undefined) return null;

  const local = DateTime.fromJSDate(acceptedAt, { zone: timeZone });
  // Walk whole dates in UTC arithmetic: a date has no zone, and this avoids a luxon object per day.
  let day = Date.UTC(local.year, local.month - 1, local.day);
  let remaining = promise.workingDays;
  if (remaining === 0 && isWorking(calendar, day)) return endOfDay(day, timeZone);
  for (let i = 0; i < MAX_DAYS; i++) {
    day += DAY_MS;
    if (!isWorking(calendar, day)) continue;
    if (remaining <= 1) return endOfDay(day, timeZone);
    remaining--;
  }
  throw new Error(`no working day within ${MAX_DAYS} days of ${acceptedAt.toISOString()}`);
}

function isWorking(calendar: WorkingDays, utcDay: number): boolean {
  const date = new Date(utcDay);
  const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  return calendar.isWorkingDay(date.toISOString().slice(0, 10), weekday);
}

function endOfDay(utcDay: number, timeZone: string): Date {
  const date = new Date(utcDay);
  return DateTime.fromObject(
    { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() },
    { zone: timeZone },
  )
    .endOf('day')
    .toJSDate();
}
