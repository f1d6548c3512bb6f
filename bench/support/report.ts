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

/** The targets (a 2-core machine), judged on the medians of this run. */
export function targets(book: MetricBook, latencyRate: number, rows: number): TargetResult[] {
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
  ) =>
    value === undefined || !Number.isFinite(value)
      ? { target, measured: '—', status: 'NOT MEASURED' as const }
      : { target, measured: show(value), status: ok(value) ? ('MET' as const) : ('NOT MET' as const) };
  const perSecond = (v: number) => `${formatNumber(v)} cases/s`;
  const times = (v: number) => `${formatNumber(v, 2)}×`;
  const ms = (v: number) => `${formatNumber(v, 1)} ms`;
  return [
    judge('end to end REST ≥ 2,000 cases/s', median('tongban.e2e-rest'), (v) => v >= 2_000, perSecond),
    judge(
      'end to end REST ≥ 4× the naive pipeline',
      ratio('tongban.e2e-rest', 'naive.e2e-rest'),
      (v) => v >= 4,
      times,
    ),
    judge('intake alone ≥ 5,000 cases/s', median('tongban.intake'), (v) => v >= 5_000, perSecond),
    judge(
      `intake p99 ≤ 25 ms at ${formatNumber(latencyRate)} cases/s offered`,
      latencyRate === 1_000 ? median('tongban.intake-latency.p99') : undefined,
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
  lines.push('', 'Targets (2-core machine; judged on medians)', '');
  for (const t of judged) lines.push(`  ${t.status.padEnd(13)}${t.target.padEnd(58)}${t.measured}`);
  return lines.join('\n');
}
