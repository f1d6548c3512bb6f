import { join } from 'node:path';
import { HolidayCalendar } from '../../src/delivery/calendar/holiday-calendar';
import { CaseDeadlines } from '../../src/insights/deadlines/case-deadlines';
import { dueTime, type WorkingDays } from '../../src/insights/deadlines/due-time';

const CONFIG_DIR = join(__dirname, '../../config');
const calendar = HolidayCalendar.load(join(CONFIG_DIR, 'calendars', 'cn-mainland.yaml'));
const weekdaysOnly: WorkingDays = { isWorkingDay: (_date, weekday) => weekday <= 5 };
const ZONE = 'Asia/Shanghai';
/** A Beijing wall-clock time as an instant. */
const beijing = (local: string) => new Date(`${local}+08:00`);
/** The end of a Beijing calendar day, which is when a working-day promise runs out. */
const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`);

describe('dueTime', () => {
  it('skips the National Day holiday 2026 and counts the adjusted working Saturday (调休)', () => {
    // Wed 30 Sep → holidays 1–7 Oct; Thu 8 (1), Fri 9 (2), Sat 10 调休 (3), Mon 12 (4), Tue 13 (5).
    expect(dueTime(beijing('2026-09-30T10:00:00'), { workingDays: 5 }, calendar, ZONE)).toEqual(
      endOf('2026-10-13'),
    );
    // Accepted in the middle of the holiday: counting starts on the first working day after it.
    expect(dueTime(beijing('2026-10-03T09:00:00'), { workingDays: 1 }, calendar, ZONE)).toEqual(
      endOf('2026-10-08'),
    );
  });

  it('counts an adjusted working Saturday as a working day, where a plain week would skip it', () => {
    expect(dueTime(beijing('2026-10-09T10:00:00'), { workingDays: 1 }, calendar, ZONE)).toEqual(
      endOf('2026-10-10'),
    );
    expect(dueTime(beijing('2026-10-09T10:00:00'), { workingDays: 1 }, weekdaysOnly, ZONE)).toEqual(
      endOf('2026-10-12'),
    );
  });

  it('crosses the Spring Festival 2026 with its working Saturday before it', () => {
    // Fri 13 Feb → Sat 14 调休 (1), 15–23 holiday, Tue 24 (2), Wed 25 (3).
    expect(dueTime(beijing('2026-02-13T16:00:00'), { workingDays: 3 }, calendar, ZONE)).toEqual(
      endOf('2026-02-25'),
    );
  });

  it('skips an ordinary weekend and starts counting the day after acceptance', () => {
    expect(dueTime(beijing('2026-11-20T09:00:00'), { workingDays: 1 }, calendar, ZONE)).toEqual(
      endOf('2026-11-23'),
    );
    // Accepted on a Sunday (online): Monday is the first working day.
    expect(dueTime(beijing('2026-11-22T20:00:00'), { workingDays: 1 }, calendar, ZONE)).toEqual(
      endOf('2026-11-23'),
    );
    expect(dueTime(beijing('2026-11-23T09:00:00'), { workingDays: 5 }, calendar, ZONE)).toEqual(
      endOf('2026-11-30'),
    );
  });

  it('takes the calendar day in the given time zone, not in UTC', () => {
    // 17:00Z Sunday is 01:00 Monday in Beijing: Monday is the acceptance day, Tuesday the first counted.
    expect(dueTime(new Date('2026-11-22T17:00:00Z'), { workingDays: 1 }, calendar, ZONE)).toEqual(
      endOf('2026-11-24'),
    );
  });

  it('makes 0 working days the same day, or the next working day when accepted on a day off', () => {
    expect(dueTime(beijing('2026-11-23T15:00:00'), { workingDays: 0 }, calendar, ZONE)).toEqual(
      endOf('2026-11-23'),
    );
    expect(dueTime(beijing('2026-10-01T15:00:00'), { workingDays: 0 }, calendar, ZONE)).toEqual(
      endOf('2026-10-08'),
    );
  });

  it('counts promised hours on the clock, through nights and holidays, ahead of working days', () => {
    const accepted = beijing('2026-09-30T10:00:00');
    expect(dueTime(accepted, { hours: 48 }, calendar, ZONE)).toEqual(beijing('2026-10-02T10:00:00'));
    expect(dueTime(accepted, { hours: 2, workingDays: 5 }, calendar, ZONE)).toEqual(
      beijing('2026-09-30T12:00:00'),
    );
  });

  it('gives no due time without a promise', () => {
    expect(dueTime(beijing('2026-09-30T10:00:00'), {}, calendar, ZONE)).toBeNull();
  });
});

describe('CaseDeadlines', () => {
  const deadlines = CaseDeadlines.fromConfig({
    configDir: CONFIG_DIR,
    services: new Map([
      ['HEALTH-BIRTH-REG', { code: 'HEALTH-BIRTH-REG', name: '生育登记', promisedWorkingDays: 3 }],
      ['URGENT', { code: 'URGENT', name: 'urgent', promisedHours: 4 }],
      ['NO-PROMISE', { code: 'NO-PROMISE', name: 'none' }],
    ]),
  });

  it("applies each service's promise with the mainland calendar", () => {
    // Fri 25 Sep 2026 is Mid-Autumn (25–27 Sep off); Mon 28 (1), Tue 29 (2), Wed 30 (3).
    expect(deadlines.dueAt('HEALTH-BIRTH-REG', beijing('2026-09-24T11:00:00'))).toEqual(endOf('2026-09-30'));
    expect(deadlines.dueAt('URGENT', beijing('2026-09-24T11:00:00'))).toEqual(beijing('2026-09-24T15:00:00'));
  });

  it('answers the same from its cache, and moves on at local midnight', () => {
    // Wed 2026-11-18 23:59:59 and Thu 00:00:00 Beijing time: due Mon 23 and Tue 24 (3 working days).
    for (let round = 0; round < 2; round++) {
      expect(deadlines.dueAt('HEALTH-BIRTH-REG', beijing('2026-11-18T23:59:59'))).toEqual(
        endOf('2026-11-23'),
      );
      expect(deadlines.dueAt('HEALTH-BIRTH-REG', beijing('2026-11-19T00:00:00'))).toEqual(
        endOf('2026-11-24'),
      );
    }
    const first = deadlines.dueAt('HEALTH-BIRTH-REG', beijing('2026-11-19T00:00:01'));
    first?.setFullYear(2000); // a caller changing its copy must not change the next answer
    expect(deadlines.dueAt('HEALTH-BIRTH-REG', beijing('2026-11-19T00:00:02'))).toEqual(endOf('2026-11-24'));
  });

  it('gives no due time for a service without a promise or an unknown one', () => {
    expect(deadlines.dueAt('NO-PROMISE', new Date())).toBeNull();
    expect(deadlines.dueAt('NOT-CONFIGURED', new Date())).toBeNull();
  });
});
