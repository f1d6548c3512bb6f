/**
 * µs per case for every shipped mapping (and the intake profile), through the public `map()` API.
 * Run: npx ts-node bench/mapping.bench.ts [iterations]
 */
import { resolve } from 'node:path';
import * as iconv from 'iconv-lite';
import type { CanonicalCase } from '../src/gateway/intake/canonical-case';
import type { FieldPlan } from '../src/mappings/field-plan';
import { IntakeProfileRegistry } from '../src/mappings/intake/intake-profile';
import { MappingRegistry } from '../src/mappings/mapping-registry';
import { RegionTable } from '../src/regions/region-table';

const iterations = Number(process.argv[2] ?? 20_000);
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

/** Wall-clock and CPU µs per call; CPU time is the steadier figure on a busy machine. */
async function measure(run: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
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

async function main(): Promise<void> {
  const regions = RegionTable.load();
  const mappings = MappingRegistry.load(configDir, regions);
  const intake = IntakeProfileRegistry.load(configDir, regions);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`node ${process.version}, ${iterations} iterations per mapping (first example of each)\n`);
  out(
    `${'mapping'.padEnd(28)}${'wall µs'.padStart(9)}${'cpu µs'.padStart(9)}   expressions (fast closures / JSONata)`,
  );

  for (const id of mappings.ids()) {
    const definition = mappings.definition(id);
    const example = definition.examples.find((e) => e.expect !== undefined);
    if (!example) continue;
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
    out(row(id, await measure(run), counts));
  }

  for (const id of intake.ids()) {
    const definition = intake.definition(id);
    const example = definition.examples[0];
    const body = example.bodyBytes ?? iconv.encode(example.body ?? '', example.bodyEncoding ?? 'utf-8');
    const counts = expressionCounts(definition.fields);
    const t = await measure(() => intake.normalize(id, body, example.contentType ?? 'application/xml'));
    out(row(`${id} (intake)`, t, counts));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
