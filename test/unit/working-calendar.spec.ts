import { join } from 'node:path';
import { HolidayCalendar } from '../../src/delivery/calendar/holiday-calendar';
import { WorkingCalendar } from '../../src/delivery/calendar/working-calendar';

const holidays = HolidayCalendar.load(join(__dirname, '../../config/calendars/cn-mainland.yaml'));
const at = (iso: string) => new Date(iso);

describe('WorkingCalendar', () => {
  it('is always open without windows or hours', () => {
    const calendar = new WorkingCalendar(undefined, 'Asia/Shanghai');
    expect(calendar.nextOpening(at('2026-11-22T03:00:00Z'))).toEqual(at('2026-11-22T03:00:00Z'));
  });

  it('waits out a nightly maintenance window in the department time zone', () => {
    const calendar = new WorkingCalendar(
      { maintenanceWindows: [{ cron: '0 22 * * *', durationMinutes: 480 }] },
      'Asia/Shanghai',
    );
    // 23:30 Beijing time is inside 22:00–06:00; it opens at 06:00 Beijing = 22:00Z.
    expect(calendar.nextOpening(at('2026-11-22T15:30:00Z'))).toEqual(at('2026-11-22T22:00:00Z'));
    expect(calendar.isOpen(at('2026-11-22T22:00:00Z'))).toBe(true);
    expect(calendar.isOpen(at('2026-11-22T13:59:00Z'))).toBe(true);
  });

  it('keeps working hours on working days, knowing holidays and adjusted working days (调休)', () => {
    const calendar = new WorkingCalendar(
      { workingHours: { start: '09:00', end: '17:00', holidays: 'cn-mainland' } },
      'Asia/Shanghai',
      holidays,
    );
    // Friday 2026-10-02 is in the National Day holiday; Saturday 2026-10-10 is an adjusted working day.
    expect(calendar.nextOpening(at('2026-10-02T02:00:00Z'))).toEqual(at('2026-10-08T01:00:00Z'));
    expect(calendar.isOpen(at('2026-10-10T02:00:00Z'))).toBe(true);
    // Sunday 2026-11-22 → Monday 09:00 Beijing.
    expect(calendar.nextOpening(at('2026-11-22T03:00:00Z'))).toEqual(at('2026-11-23T01:00:00Z'));
    // Monday 18:00 Beijing → Tuesday 09:00.
    expect(calendar.nextOpening(at('2026-11-23T10:00:00Z'))).toEqual(at('2026-11-24T01:00:00Z'));
    // Monday 08:00 Beijing → 09:00 the same day.
    expect(calendar.nextOpening(at('2026-11-23T00:00:00Z'))).toEqual(at('2026-11-23T01:00:00Z'));
  });
});
