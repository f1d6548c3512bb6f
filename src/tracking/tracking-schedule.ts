import type { PollingConfig } from '../config/model/tracking-config';

type Polling = Pick<PollingConfig, 'initialIntervalMs' | 'maxIntervalMs' | 'callsPerMinute'>;

/** The budget's window: `callsPerMinute` status calls at most in any 60 seconds. */
export const BUDGET_WINDOW_MS = 60_000;

/** Shortest and longest gap between two polling runs of one department. */
const MIN_TICK_MS = 100;
const MAX_TICK_MS = 5_000;

/**
 * Gap before the next status call of a delivery after `unchanged` answers in a row that said
 * nothing new (errors count as unchanged): the initial interval, doubled per such answer, capped.
 */
export function pollGapMs(unchanged: number, polling: Polling): number {
  const exponent = Math.min(Math.max(0, Math.floor(unchanged)), 40);
  const max = Math.max(polling.initialIntervalMs, polling.maxIntervalMs);
  return Math.min(polling.initialIntervalMs * 2 ** exponent, max);
}

/**
 * How often a department's polling run looks for due deliveries: often enough that a delivery is
 * polled at most half its first gap late, never more than every 5 s nor less than every 100 ms.
 */
export function pollTickMs(polling: Pick<Polling, 'initialIntervalMs'>): number {
  return Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, Math.floor(polling.initialIntervalMs / 2)));
}

/**
 * Status calls one run may make: the minute's budget spread over the runs of a minute (at least one),
 * so the department sees a steady trickle rather than the whole budget in one burst.
 */
export function callsPerRun(polling: Pick<Polling, 'callsPerMinute'>, tickMs: number): number {
  return Math.max(1, Math.ceil((polling.callsPerMinute * tickMs) / BUDGET_WINDOW_MS));
}
