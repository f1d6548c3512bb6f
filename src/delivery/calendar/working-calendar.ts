import { parseExpression } from 'cron-parser';
import { DateTime } from 'luxon';
import type { CalendarConfig } from '../../config/model/department-config';
import type { HolidayCalendar } from './holiday-calendar';

/**
 * When a department accepts deliveries: outside its maintenance windows and, if it keeps office
 * hours, in working hours on working days. Deliveries due while it is closed wait, burning no attempt.
 */
export class WorkingCalendar {
  constructor(
    private readonly config: CalendarConfig | undefined,
    private readonly timeZone: string,
    private readonly holidays?: HolidayCalendar,
  ) {}

  /** `now` when open, else the next moment it opens. */
  nextOpening(now: Date): Date {
    let t = now;
    for (let i = 0; i < 800; i++) {
      const windowEnd = this.maintenanceEnd(t);
      if (windowEnd) {
        t = windowEnd;
        continue;
      }
      const hoursOpen = this.workingHoursOpening(t);
      if (hoursOpen.getTime() !== t.getTime()) {
        t = hoursOpen;
        continue;
      }
      return t;
    }
    return t;
  }

  isOpen(now: Date): boolean {
    return this.nextOpening(now).getTime() === now.getTime();
  }

  private maintenanceEnd(t: Date): Date | undefined {
    let latest: Date | undefined;
    for (const window of this.config?.maintenanceWindows ?? []) {
      const start = parseExpression(window.cron, {
        currentDate: new Date(t.getTime() + 1),
        tz: this.timeZone,
      })
        .prev()
        .toDate();
      const end = new Date(start.getTime() + window.durationMinutes * 60_000);
      if (end > t && (!latest || end > latest)) latest = end;
    }
    return latest;
  }

  private workingHoursOpening(t: Date): Date {
    const hours = this.config?.workingHours;
    if (!hours) return t;
    const local = DateTime.fromJSDate(t, { zone: this.timeZone });
    const [startH, startM] = hours.start.split(':').map(Number);
    const [endH, endM] = hours.end.split(':').map(Number);
    const dayStart = local.set({ hour: startH, minute: startM, second: 0, millisecond: 0 });
    const dayEnd =
      endH === 24 ? local.endOf('day') : local.set({ hour: endH, minute: endM, second: 0, millisecond: 0 });
    const workingDay = this.holidays?.isWorkingDay(local.toISODate()!, local.weekday) ?? local.weekday <= 5;
    if (workingDay && local >= dayStart && local < dayEnd) return t;
    if (workingDay && local < dayStart) return dayStart.toJSDate();
    return local
      .plus({ days: 1 })
      .set({ hour: startH, minute: startM, second: 0, millisecond: 0 })
      .toJSDate();
  }
}
