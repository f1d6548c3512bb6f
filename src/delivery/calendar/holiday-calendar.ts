import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { parse } from 'yaml';

/** Public holidays and adjusted working days (调休): a Saturday can be a working day, a Wednesday not. */
export class HolidayCalendar {
  constructor(
    private readonly holidays: ReadonlySet<string>,
    private readonly workdays: ReadonlySet<string>,
  ) {}

  static load(file: string): HolidayCalendar {
    const data = parse(readFileSync(file, 'utf8')) as { holidays?: string[]; workdays?: string[] };
    return new HolidayCalendar(new Set(expand(data.holidays ?? [])), new Set(expand(data.workdays ?? [])));
  }

  /** `date` is yyyy-MM-dd in the department's zone; weekday 1 = Monday … 7 = Sunday. */
  isWorkingDay(date: string, weekday: number): boolean {
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    return weekday <= 5;
  }
}

/** Entries are dates or inclusive ranges `2026-10-01..2026-10-07`. */
function expand(entries: string[]): string[] {
  return entries.flatMap((entry) => {
    const [from, to] = String(entry).split('..');
    if (!to) return [from];
    const out: string[] = [];
    for (let d = DateTime.fromISO(from); d <= DateTime.fromISO(to); d = d.plus({ days: 1 }))
      out.push(d.toISODate()!);
    return out;
  });
}
