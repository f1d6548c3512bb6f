import { DateTime } from 'luxon';
import { DASHBOARD_TIME_ZONE } from '../dashboard-overview';

/** An instant as local time in the dashboard's zone, e.g. `11-22 13:05:09`. */
export function localTime(iso: string | null, format = 'MM-dd HH:mm:ss'): string {
  if (!iso) return '—';
  return DateTime.fromISO(iso, { zone: DASHBOARD_TIME_ZONE }).toFormat(format);
}

export function percent(rate: number | null): string {
  if (rate === null) return '—';
  return `${(rate * 100).toFixed(rate === 0 || rate === 1 ? 0 : 1)} %`;
}

/** The smallest 1, 2 or 5 × 10^k at or above `n` (at least 1): a readable top of a chart axis. */
export function niceCeiling(n: number): number {
  if (n <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}
