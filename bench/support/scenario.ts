import type { BenchOptions } from './bench-options';
import type { BenchChild } from './child-process';
import type { Progress } from './progress';

/** One figure of one run. */
export interface Metric {
  /** Stable id, used by targets, ratios and the JSON (`tongban.e2e-rest`). */
  id: string;
  label: string;
  unit: string;
  /** Throughputs: true; latencies and costs: false. */
  higherIsBetter: boolean;
  value: number;
  /** Anything else worth keeping in the JSON (latency percentiles, counts, checks). */
  detail?: Record<string, unknown>;
}

/** What every scenario gets: the private servers, the simulators, the config and the knobs. */
export interface BenchContext {
  options: BenchOptions;
  progress: Progress;
  /** This bench run's folder (logs, config, scratch): `<dataDir>/runs/<timestamp>`. */
  runDir: string;
  logDir: string;
  /** Run id, used in database names and queue prefixes. */
  runId: string;
  redisUrl: string;
  /** The private MariaDB, default database; scenarios create their own. */
  serverUrl: string;
  /** Pids of the private mariadbd and redis-server, for CPU accounting. */
  serverPids: Array<number | undefined>;
  simulators: { civil: string; hrss: string; process: BenchChild };
  /** Bench configuration: CIVIL (REST) and HRSS (SOAP) at the simulators. */
  configDir: string;
  /** TONGBAN_DATA_KEYS of the bench's gateways (a fresh key per run; the 1M rows use the seed's own). */
  dataKeys: string;
  /** The built gateway entry point. */
  main: string;
  /** Offered rate of the intake latency figure (scaled to this machine unless TONGBAN_BENCH_LATENCY_RATE). */
  latencyRate(): number;
}

/**
 * A scenario of `npm run bench`. `setup` may return a reason to skip (printed as is); `run` is
 * called `options.runs` times; `teardown` always runs after a setup that did not skip.
 */
export interface Scenario {
  id: string;
  title: string;
  setup?(ctx: BenchContext): Promise<string | void>;
  run(ctx: BenchContext, run: number): Promise<Metric[]>;
  teardown?(ctx: BenchContext): Promise<void>;
}

export const windowMs = (ctx: BenchContext) => ({
  warmupMs: ctx.options.warmupSeconds * 1000,
  durationMs: ctx.options.seconds * 1000,
});
