/**
 * µs per case for every shipped mapping (and the intake profile), through the public `map()` API.
 * Run alone: npx ts-node bench/mapping.bench.ts [iterations]; `npm run bench` uses `mappingTimings`.
 */
import { resolve } from 'node:path';
import * as iconv from 'iconv-lite';
import type { CanonicalCase } from '../src/gateway/intake/canonical-case';
import type { FieldPlan } from '../src/mappings/field-plan';
import { IntakeProfileRegistry } from '../src/mappings/intake/intake-profile';
import { MappingRegistry } from '../src/mappings/mapping-registry';
import { RegionTable } from '../src/regions/region-table';

const configDir = resolve(__dirname, '..', 'config');

/** Expressions run as compiled closures vs by JSONata's evaluator. */
function expressionCounts(fields: FieldPlan[]): { fast: number; jsonata: number } {
  const counts = { fast: 0, jsonata: 0 };
  for (const field of fields) {
    if (field.kind === 'object') {
      const inner = expressionCounts(field.fields);
      counts.fast += inner.fast;
      counts.jsonata += inner.jsonata;
      continue;
    }
    const expr = field.kind === 'leaf' ? field.expr : field.each;
    counts[expr.fast ? 'fast' : 'jsonata'] += 1;
    if (field.kind === 'group') {
      const inner = expressionCounts(field.fields);
      counts.fast += inner.fast;
      counts.jsonata += inner.jsonata;
    }
  }
  return counts;
}

export interface MappingTiming {
  /** Mapping id, or `<profile> (intake)` for an intake profile. */
  name: string;
  kind: 'forward' | 'reverse' | 'intake';
  /** µs per case, wall clock and CPU. */
  wall: number;
  cpu: number;
  counts: { fast: number; jsonata: number };
}

/** Wall-clock and CPU µs per call; CPU time is the steadier figure on a busy machine. */
async function measure(
  run: () => Promise<unknown>,
  iterations: number,
): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < Math.min(2_000, iterations); i++) await run();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await run();
  const wall = Number(process.hrtime.bigint() - start) / 1_000 / iterations;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / iterations };
}

const row = (
  name: string,
  t: { wall: number; cpu: number },
  counts: { fast: number; jsonata: number },
): string =>
  `${name.padEnd(28)}${t.wall.toFixed(2).padStart(9)}${t.cpu.toFixed(2).padStart(9)}   ${counts.fast} / ${counts.jsonata}`;

/**
 * Every shipped mapping (first example with an expectation) and intake profile, `iterations` times
 * each; `kinds` narrows it (the full bench times forward mappings only).
 */
export async function mappingTimings(
  iterations: number,
  kinds: ReadonlyArray<MappingTiming['kind']> = ['forward', 'reverse', 'intake'],
): Promise<MappingTiming[]> {
  const regions = RegionTable.load();
  const mappings = MappingRegistry.load(configDir, regions);
  const intake = IntakeProfileRegistry.load(configDir, regions);
  const timings: MappingTiming[] = [];

  for (const id of mappings.ids()) {
    const definition = mappings.definition(id);
    const example = definition.examples.find((e) => e.expect !== undefined);
    if (!example || !kinds.includes(definition.kind)) continue;
    const now = new Date('2026-11-20T01:31:00Z');
    const run =
      definition.kind === 'forward'
        ? () =>
            mappings.forward(id).map(example.input as CanonicalCase, {
              deliveryId: '0190f5e2-7c1a-7000-8000-00000000a001',
              caseId: '0190f5e2-7c1a-7000-8000-0000000000c1',
              department: definition.department ?? 'TEST',
              now,
            })
        : () => mappings.reverse(id).map(example.input);
    const counts = expressionCounts(definition.fields);
    timings.push({ name: id, kind: definition.kind, ...(await measure(run, iterations)), counts });
  }

  for (const id of kinds.includes('intake') ? intake.ids() : []) {
    const definition = intake.definition(id);
    const example = definition.examples[0];
    const body = example.bodyBytes ?? iconv.encode(example.body ?? '', example.bodyEncoding ?? 'utf-8');
    const counts = expressionCounts(definition.fields);
    const t = await measure(
      () => intake.normalize(id, body, example.contentType ?? 'application/xml'),
      iterations,
    );
    timings.push({ name: `${id} (intake)`, kind: 'intake', ...t, counts });
  }
  return timings;
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 20_000);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`node ${process.version}, ${iterations} iterations per mapping (first example of each)\n`);
  out(
    `${'mapping'.padEnd(28)}${'wall µs'.padStart(9)}${'cpu µs'.padStart(9)}   expressions (fast closures / JSONata)`,
  );
  for (const t of await mappingTimings(iterations)) out(row(t.name, t, t.counts));
}

if (require.main === module)
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
