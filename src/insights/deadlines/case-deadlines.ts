import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceConfig } from '../../config/model/service-config';
import type { TongbanConfig } from '../../config/tongban-config';
import { HolidayCalendar } from '../../delivery/calendar/holiday-calendar';
import { dueTime, type WorkingDays } from './due-time';

/** Promises are made to residents of mainland China; their working days follow Beijing time. */
export const DEADLINE_TIME_ZONE = 'Asia/Shanghai';
export const DEADLINE_CALENDAR = 'cn-mainland';

const WEEKDAYS_ONLY: WorkingDays = { isWorkingDay: (_date, weekday) => weekday <= 5 };

/** Due times of new cases from their service's promise; all in memory, so intake pays no query for it. */
export class CaseDeadlines {
  constructor(
    private readonly services: ReadonlyMap<string, ServiceConfig>,
    private readonly calendar: WorkingDays,
    private readonly timeZone = DEADLINE_TIME_ZONE,
  ) {}

  static fromConfig(config: Pick<TongbanConfig, 'configDir' | 'services'>): CaseDeadlines {
    const file = join(config.configDir, 'calendars', `${DEADLINE_CALENDAR}.yaml`);
    if (existsSync(file)) return new CaseDeadlines(config.services, HolidayCalendar.load(file));
    new Logger(CaseDeadlines.name).warn({
      msg: 'no holiday calendar: due times count Monday to Friday only',
      file,
    });
    return new CaseDeadlines(config.services, WEEKDAYS_ONLY);
  }

  /** Null when the service promises no handling time (or is unknown). */
  dueAt(serviceCode: string, acceptedAt: Date): Date | null {
    const service = this.services.get(serviceCode);
    if (!service) return null;
    return dueTime(
      acceptedAt,
      { workingDays: service.promisedWorkingDays, hours: service.promisedHours },
      this.calendar,
      this.timeZone,
    );
  }
}
