import { mappingTimings } from '../mapping.bench';
import type { Metric, Scenario } from '../support/scenario';

/** µs per case of every forward mapping, in the bench process while nothing else runs. */
export const mappingScenario: Scenario = {
  id: 'mapping',
  title: 'mapping µs/case (bench/mapping.bench.ts)',
  async run(ctx) {
    const timings = await mappingTimings(ctx.options.quick ? 5_000 : 20_000, ['forward']);
    const forward = timings;
    const metrics: Metric[] = forward.map((t) => ({
      id: `mapping.${t.name}`,
      label: `mapping ${t.name} (CPU)`,
      unit: 'µs/case',
      higherIsBetter: false,
      value: t.cpu,
      detail: { wallMicros: t.wall, expressions: t.counts },
    }));
    const worst = forward.reduce((a, b) => (b.cpu > a.cpu ? b : a));
    metrics.push({
      id: 'mapping.worst',
      label: 'mapping, slowest forward mapping (CPU)',
      unit: 'µs/case',
      higherIsBetter: false,
      value: worst.cpu,
      detail: { mapping: worst.name, wallMicros: worst.wall },
    });
    return metrics;
  },
};
