import type { Redis } from 'ioredis';
import { join } from 'node:path';
import type { DepartmentConfig } from '../config/model/department-config';
import type { TongbanConfig } from '../config/tongban-config';
import { HolidayCalendar } from './calendar/holiday-calendar';
import { WorkingCalendar } from './calendar/working-calendar';
import { CircuitBreaker } from './circuit-breaker';

/** A department's delivery settings with the breaker and calendar built from them. */
export interface DepartmentRuntime {
  config: DepartmentConfig;
  breaker: CircuitBreaker;
  calendar: WorkingCalendar;
}

export function buildDepartmentRuntimes(
  config: TongbanConfig,
  redis: Redis,
  prefix: string,
): Map<string, DepartmentRuntime> {
  const holidayFiles = new Map<string, HolidayCalendar>();
  const holidays = (name: string) => {
    if (!holidayFiles.has(name))
      holidayFiles.set(name, HolidayCalendar.load(join(config.configDir, 'calendars', `${name}.yaml`)));
    return holidayFiles.get(name)!;
  };
  const out = new Map<string, DepartmentRuntime>();
  for (const department of config.departments.values()) {
    if (!department.enabled) continue;
    const hours = department.calendar?.workingHours;
    out.set(department.code, {
      config: department,
      breaker: new CircuitBreaker(redis, prefix, department.code, department.delivery.circuitBreaker),
      calendar: new WorkingCalendar(
        department.calendar,
        department.timeZone,
        hours ? holidays(hours.holidays) : undefined,
      ),
    });
  }
  return out;
}
