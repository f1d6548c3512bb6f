import { spread } from './percentiles';
import { formatNumber } from './progress';
import type { Metric } from './scenario';

/** Every run of one metric, in order. */
export interface MetricSeries {
  id: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
  runs: number[];
  details: Array<Record<string, unknown> | undefined>;
  min: number;
  median: number;
  max: number;
}

export interface Ratio {
  of: string;
  to: string;
  /** How the ratio reads in the table, e.g. "× naive". */
  name: string;
  value: number;
}

export interface TargetResult {
  target: string;
  measured: string;
  status: 'MET' | 'NOT MET' | 'NOT MEASURED';
}

/** Collects the metrics of every run, grouped by id, in first-seen order. */
export class MetricBook {
  private readonly series = new Map<string, MetricSeries>();

  add(metrics: Metric[]): void {
    for (const m of metrics) {
      let s = this.series.get(m.id);
      if (!s) {
        s = { ...m, runs: [], details: [], min: NaN, median: NaN, max: NaN };
        this.series.set(m.id, s);
      }
      s.runs.push(m.value);
      s.details.push(m.detail);
      Object.assign(s, spread(s.runs));
    }
  }

  get(id: string): MetricSeries | undefined {
    return this.series.get(id);
  }

  all(): MetricSeries[] {
    return [...this.series.values()];
  }
}

/** Tongban figure ÷ reference figure, medians of the same bench run. */
const RATIOS: Array<Omit<Ratio, 'value'>> = [
  { of: 'tongban.intake', to: 'reference.http', name: '× bare node:http' },
  { of: 'tongban.intake', to: 'naive.intake', name: '× naive intake' },
  { of: 'tongban.intake.cpu', to: 'naive.intake.cpu', name: '× naive (CPU, lower is better)' },
  { of: 'tongban.e2e-rest', to: 'naive.e2e-rest', name: '× naive pipeline' },
  { of: 'tongban.e2e-rest.cpu', to: 'naive.e2e-rest.cpu', name: '× naive (CPU, lower is better)' },
  { of: 'tongban.e2e-rest', to: 'reference.bullmq', name: '× raw BullMQ' },
  { of: 'soap.tongban', to: 'reference.node-soap', name: '× node-soap' },
  { of: 'soap.tongban.cpu', to: 'reference.node-soap.cpu', name: '× node-soap (CPU, lower is better)' },
  { of: 'naive.e2e-rest', to: 'reference.bullmq', name: '× raw BullMQ' },
];

export function ratios(book: MetricBook): Ratio[] {
  return RATIOS.flatMap((r) => {
    const of = book.get(r.of)?.median;
    const to = book.get(r.to)?.median;
    return of !== undefined && to !== undefined && to > 0 ? [{ ...r, value: of / to }] : [];
  });
}

/**
 * The reference machine of the targets: a 2-core machine whose bare `node:http` JSON intake takes
 * ≈ 39,000 req/s. Absolute targets are judged as that fraction of bare node:http measured in the same
 * run, so a slower (or busier) machine is held to the same ratio, and a faster one to more.
 */
export const REFERENCE_BARE_HTTP_PER_SECOND = 39_000;

/** This machine's speed relative to the reference machine (undefined until bare node:http is measured). */
export function machineScale(book: MetricBook): number | undefined {
  const bare = book.get('reference.http')?.median;
  return bare !== undefined && Number.isFinite(bare) && bare > 0
    ? bare / REFERENCE_BARE_HTTP_PER_SECOND
    : undefined;
}

/** The offered rate of the latency figure: 1,000 cases/s on the reference machine, scaled to this one. */
export function latencyRateFor(book: MetricBook, fixed: number | undefined): number {
  if (fixed !== undefined) return fixed;
  const scale = machineScale(book);
  return Math.max(10, Math.round(1_000 * (scale ?? 1)));
}

/** The targets (a 2-core machine), judged on the medians of this run. */
export function targets(book: MetricBook, rows: number): TargetResult[] {
  const median = (id: string) => book.get(id)?.median;
  const ratio = (of: string, to: string) => {
    const a = median(of);
    const b = median(to);
    return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
  };
  const judge = (
    target: string,
    value: number | undefined,
    ok: (v: number) => boolean,
    show: (v: number) => string,
  ): TargetResult =>
    value === undefined || !Number.isFinite(value)
      ? { target, measured: '—', status: 'NOT MEASURED' }
      : { target, measured: show(value), status: ok(value) ? 'MET' : 'NOT MET' };
  const scale = machineScale(book);
  /** "≥ N/s on the reference machine" → ≥ N × scale here, shown with its ratio to bare node:http. */
  const scaledRate = (label: string, id: string, reference: number): TargetResult => {
    const share = reference / REFERENCE_BARE_HTTP_PER_SECOND;
    const value = median(id);
    return judge(
      `${label} ≥ ${formatNumber(reference)} cases/s = ${formatNumber(share, 3)}× bare node:http` +
        (scale === undefined ? '' : ` (here ${formatNumber(reference * scale)}/s)`),
      scale === undefined ? undefined : value,
      (v) => v >= reference * scale!,
      (v) =>
        `${formatNumber(v)} cases/s = ${formatNumber(v / (scale! * REFERENCE_BARE_HTTP_PER_SECOND), 3)}×`,
    );
  };
  const latency = book.get('tongban.intake-latency.p99');
  const offered = (
    latency?.details.find((d) => d?.offeredPerSecond) as { offeredPerSecond?: number } | undefined
  )?.offeredPerSecond;
  const times = (v: number) => `${formatNumber(v, 2)}×`;
  const ms = (v: number) => `${formatNumber(v, 1)} ms`;
  return [
    scaledRate('end to end REST', 'tongban.e2e-rest', 2_000),
    judge(
      'end to end REST ≥ 4× the naive pipeline',
      ratio('tongban.e2e-rest', 'naive.e2e-rest'),
      (v) => v >= 4,
      times,
    ),
    scaledRate('intake alone', 'tongban.intake', 5_000),
    judge(
      `intake p99 ≤ 25 ms at 1,000 cases/s offered on the reference machine` +
        (offered ? ` (here ${formatNumber(offered)}/s)` : ''),
      latency?.median,
      (v) => v <= 25,
      ms,
    ),
    judge(
      'mapping ≤ 20 µs per case (slowest forward mapping)',
      median('mapping.worst'),
      (v) => v <= 20,
      (v) => `${formatNumber(v, 1)} µs`,
    ),
    judge(
      'SOAP ≥ 1.5× node-soap default client',
      ratio('soap.tongban', 'reference.node-soap'),
      (v) => v >= 1.5,
      times,
    ),
    // At fewer rows (TONGBAN_BENCH_ROWS) the 1M targets say nothing.
    judge(
      '1M cases: lookup ≤ 5 ms',
      rows >= 1_000_000 ? median('tongban.lookup') : undefined,
      (v) => v <= 5,
      ms,
    ),
    judge(
      '1M cases: stats ≤ 200 ms',
      rows >= 1_000_000 ? median('tongban.stats') : undefined,
      (v) => v <= 200,
      ms,
    ),
  ];
}

const WIDTH = 76;

/** The results table and the targets, as printed at the end of `npm run bench`. */
export function renderReport(book: MetricBook, found: Ratio[], judged: TargetResult[], runs: number): string {
  const lines: string[] = [];
  const header = `${'figure'.padEnd(WIDTH)}${'unit'.padEnd(10)}${'min'.padStart(10)}${'median'.padStart(10)}${'max'.padStart(10)}   ratio (medians)`;
  lines.push(`Results: min / median / max of ${runs} run(s)`, '', header, '-'.repeat(header.length));
  for (const s of book.all()) {
    const ratioText = found
      .filter((r) => r.of === s.id)
      .map((r) => `${formatNumber(r.value, 2)}${r.name}`)
      .join(' · ');
    lines.push(
      `${s.label.slice(0, WIDTH - 1).padEnd(WIDTH)}${s.unit.padEnd(10)}${formatNumber(s.min).padStart(10)}` +
        `${formatNumber(s.median).padStart(10)}${formatNumber(s.max).padStart(10)}   ${ratioText}`.trimEnd(),
    );
  }
  lines.push(
    '',
    'Targets (2-core reference machine; rates scaled by bare node:http here ÷ 39,000/s; medians)',
    '',
  );
  for (const t of judged) lines.push(`  ${t.status.padEnd(13)}${t.target.padEnd(96)}${t.measured}`);
  return lines.join('\n');
}
