import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Every knob of `npm run chaos`, from the command line and TONGBAN_CHAOS_* variables. */
export interface ChaosOptions {
  quick: boolean;
  /** The built gateway; TONGBAN_TEST_MAIN (as for the e2e tests) skips the staleness check and build. */
  main?: string;
  /** Private Redis and MariaDB data and the logs of each run live here. */
  dataDir: string;
  /** Only scenarios whose name contains one of these (comma-separated TONGBAN_CHAOS_ONLY). */
  only: string[];
  /** Gateway log level: info logs every attempt, which gives the personal-data scan more to read. */
  logLevel: string;
  /** Requests in flight while submitting cases. */
  submitConcurrency: number;
  storm: {
    cases: number;
    /** Share of the storm's cases that go to HRSS (SOAP); the rest go to CIVIL (REST). */
    hrssShare: number;
    seconds: number;
    killEveryMs: number;
    workers: number;
    drainLimitSeconds: number;
  };
  flush: { cases: number; restoreLimitSeconds: number };
  outage: {
    seconds: number;
    cases: number;
    /** Circuit cool-down and its cap during the outage (production default: 30 s, 5 min). */
    cooldownMs: number;
    maxCooldownMs: number;
    recoveryLimitSeconds: number;
    maxProbesPerSecond: number;
  };
  ambiguous: { cases: number; ratio: number };
  backlog: {
    cases: number;
    /** The department's rate limit: deliveries per second across all workers. */
    ratePerSecond: number;
    workers: number;
  };
  hostile: {
    inputs: number;
    rpcInputs: number;
    rssLimitMb: number;
    lagLimitMs: number;
    /** HRSS cases per hostile response mode. */
    casesPerMode: number;
  };
}

export function readChaosOptions(argv = process.argv.slice(2), env = process.env): ChaosOptions {
  const quick = argv.includes('--quick') || env.TONGBAN_CHAOS_QUICK === '1';
  const unknown = argv.filter((arg) => arg !== '--quick');
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')} (only --quick)`);
  const n = (name: string, full: number, small: number, min = 0): number =>
    number(env, `TONGBAN_CHAOS_${name}`, quick ? small : full, min);
  return {
    quick,
    main: env.TONGBAN_TEST_MAIN ? resolve(env.TONGBAN_TEST_MAIN) : undefined,
    dataDir: resolve(env.TONGBAN_CHAOS_DATA_DIR ?? resolve(REPO_ROOT, '.tongban', 'chaos')),
    only: (env.TONGBAN_CHAOS_ONLY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    logLevel: env.TONGBAN_CHAOS_LOG_LEVEL ?? 'info',
    submitConcurrency: n('SUBMIT_CONCURRENCY', 16, 8, 1),
    storm: {
      cases: n('STORM_CASES', 10_000, 300, 1),
      hrssShare: n('STORM_HRSS_SHARE', 0.2, 0.2),
      seconds: n('STORM_SECONDS', 300, 45, 1),
      killEveryMs: n('STORM_KILL_EVERY_MS', 5_000, 5_000, 500),
      workers: n('STORM_WORKERS', 2, 2, 1),
      drainLimitSeconds: n('STORM_DRAIN_LIMIT_SECONDS', 120, 120, 1),
    },
    flush: {
      cases: n('FLUSH_CASES', 1_000, 90, 3),
      restoreLimitSeconds: n('FLUSH_RESTORE_LIMIT_SECONDS', 60, 60, 1),
    },
    outage: {
      seconds: n('OUTAGE_SECONDS', 120, 40, 4),
      cases: n('OUTAGE_CASES', 400, 40, 1),
      cooldownMs: n('OUTAGE_COOLDOWN_MS', 5_000, 2_000, 100),
      maxCooldownMs: n('OUTAGE_MAX_COOLDOWN_MS', 30_000, 8_000, 100),
      recoveryLimitSeconds: n('OUTAGE_RECOVERY_LIMIT_SECONDS', 300, 300, 1),
      maxProbesPerSecond: n('OUTAGE_MAX_PROBES_PER_SECOND', 1, 1, 0),
    },
    ambiguous: { cases: n('AMBIGUOUS_CASES', 1_000, 100, 1), ratio: n('AMBIGUOUS_RATIO', 0.2, 0.2) },
    backlog: {
      cases: n('BACKLOG_CASES', 10_000, 300, 1),
      ratePerSecond: n('BACKLOG_RATE', 50, 15, 1),
      workers: n('BACKLOG_WORKERS', 2, 1, 1),
    },
    hostile: {
      inputs: n('HOSTILE_INPUTS', 1_500, 1_000, 1),
      rpcInputs: n('HOSTILE_RPC_INPUTS', 400, 200, 0),
      rssLimitMb: n('HOSTILE_RSS_LIMIT_MB', 300, 300, 1),
      lagLimitMs: n('HOSTILE_LAG_LIMIT_MS', 200, 200, 1),
      casesPerMode: n('HOSTILE_CASES_PER_MODE', 5, 3, 1),
    },
  };
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}
