import type { Queue } from 'bullmq';
import type { CircuitState } from './circuit-breaker';
import type { DepartmentRuntime } from './department-runtime';

/** Job states reported for a department queue (`failed`: BullMQ gave up on an infrastructure error). */
export const QUEUE_JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'paused'] as const;

/** A department as it stands right now: breaker (shared in Redis), calendar, and its BullMQ queue. */
export interface DepartmentState {
  code: string;
  name: string;
  adapter: string;
  circuit: { state: CircuitState; consecutiveFailures: number; nextProbeAt: string | null };
  /** Inside its working hours and outside maintenance windows. */
  open: boolean;
  queue: { paused: boolean; jobs: Record<string, number> };
}

/** Read by the admin API (`GET /departments`) and the ops dashboard, so both always agree. */
export async function readDepartmentState(
  { config, breaker, calendar }: DepartmentRuntime,
  queue: Queue,
  now = new Date(),
): Promise<DepartmentState> {
  const [circuit, paused, jobs] = await Promise.all([
    breaker.snapshot(),
    queue.isPaused(),
    queue.getJobCounts(...QUEUE_JOB_STATES),
  ]);
  return {
    code: config.code,
    name: config.name,
    adapter: config.adapter.type,
    circuit: {
      state: circuit.state,
      consecutiveFailures: circuit.consecutiveFailures,
      nextProbeAt: circuit.nextProbeAt > 0 ? new Date(circuit.nextProbeAt).toISOString() : null,
    },
    open: calendar.isOpen(now),
    queue: { paused, jobs },
  };
}
