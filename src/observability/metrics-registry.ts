import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { DeliveryQueues } from '../queue/delivery-queues';

export const METRICS_REGISTRY = Symbol('tongban.metrics-registry');

/** Process metrics plus queue depth and dead letters, read when Prometheus scrapes. */
export function createMetricsRegistry(queues: DeliveryQueues, db: DataSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tongban_' });
  new Gauge({
    name: 'tongban_queue_jobs',
    help: 'Jobs on each department queue, by state',
    labelNames: ['department', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of queues.all()) {
        const department = queue.name.replace(/^delivery\./, '');
        const counts = await queue.getJobCounts(
          'waiting',
          'active',
          'delayed',
          'failed',
          'paused',
          'prioritized',
        );
        for (const [state, n] of Object.entries(counts)) this.set({ department, state }, n);
      }
    },
  });
  new Gauge({
    name: 'tongban_dead_letters',
    help: 'Dead-lettered deliveries per department',
    labelNames: ['department'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.query<Array<{ department: string; n: string }>>(
        "SELECT department, COUNT(*) AS n FROM deliveries WHERE status = 'DEAD_LETTERED' GROUP BY department",
      );
      for (const row of rows) this.set({ department: row.department }, Number(row.n));
    },
  });
  return registry;
}
