import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Every knob of `npm run bench`, from the command line and TONGBAN_BENCH_* variables. */
export interface BenchOptions {
  quick: boolean;
  /** Measured window of one run of a throughput scenario. */
  seconds: number;
  /** Load before the window starts (connections, JIT, pools). */
  warmupSeconds: number;
  /** Runs per scenario: the table shows min / median / max over them. */
  runs: number;
  /** Requests in flight of the closed-loop load generator. */
  concurrency: number;
  /** Offered rate of the latency scenario; by default 1,000/s scaled by this machine's bare node:http. */
  latencyRate?: number;
  /** Gateway (and naive pipeline) processes: api and worker counts. */
  apiProcesses: number;
  workerProcesses: number;
  /** Delivery concurrency per worker process (Tongban's department setting and the naive worker's). */
  deliveryConcurrency: number;
  /** The built gateway entry point; set to skip the staleness check and build. */
  dist?: string;
  /** Private Redis and MariaDB data, the seeded 1M database and its key live here. */
  dataDir: string;
  /** Rows of the lookup/stats scenario. */
  rows: number;
  /** InnoDB buffer pool of the bench's MariaDB. */
  bufferPoolSize: string;
  /** Only scenarios whose id contains one of these (comma-separated TONGBAN_BENCH_ONLY). */
  only: string[];
}

export function readBenchOptions(argv = process.argv.slice(2), env = process.env): BenchOptions {
  const quick = argv.includes('--quick') || env.TONGBAN_BENCH_QUICK === '1';
  const unknown = argv.filter((arg) => arg !== '--quick');
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')} (only --quick)`);
  const [apiProcesses, workerProcesses] = processes(env.TONGBAN_BENCH_PROCESSES ?? '1+1');
  return {
    quick,
    seconds: number(env, 'TONGBAN_BENCH_SECONDS', quick ? 3 : 10, 1),
    warmupSeconds: number(env, 'TONGBAN_BENCH_WARMUP_SECONDS', quick ? 1 : 4, 0),
    runs: number(env, 'TONGBAN_BENCH_RUNS', quick ? 2 : 3, 1),
    concurrency: number(env, 'TONGBAN_BENCH_CONCURRENCY', 64, 1),
    latencyRate: env.TONGBAN_BENCH_LATENCY_RATE
      ? number(env, 'TONGBAN_BENCH_LATENCY_RATE', 1000, 1)
      : undefined,
    apiProcesses,
    workerProcesses,
    deliveryConcurrency: number(env, 'TONGBAN_BENCH_DELIVERY_CONCURRENCY', 32, 1),
    dist: env.TONGBAN_BENCH_DIST ? resolve(env.TONGBAN_BENCH_DIST) : undefined,
    dataDir: resolve(env.TONGBAN_BENCH_DATA_DIR ?? resolve(REPO_ROOT, '.tongban', 'bench')),
    rows: number(env, 'TONGBAN_BENCH_ROWS', 1_000_000, 1),
    bufferPoolSize: env.TONGBAN_BENCH_BUFFER_POOL ?? '2G',
    only: (env.TONGBAN_BENCH_ONLY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

/** "2+2" → 2 api and 2 worker processes. */
function processes(raw: string): [number, number] {
  const match = /^(\d+)\+(\d+)$/.exec(raw.trim());
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1)
    throw new Error(`TONGBAN_BENCH_PROCESSES must look like 1+1 (api+worker, each ≥ 1), got "${raw}"`);
  return [Number(match[1]), Number(match[2])];
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}
