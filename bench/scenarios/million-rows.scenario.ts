import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { PersonalDataCipher } from '../../src/common/crypto/personal-data-cipher';
import { StatsRollupBuilder } from '../../src/insights/stats/rollup/stats-rollup-builder';
import { StatsRollupDays } from '../../src/insights/stats/rollup/stats-rollup-days';
import { StatsRollupPass } from '../../src/insights/stats/rollup/stats-rollup-pass';
import { StatsRollupSettings } from '../../src/insights/stats/rollup/stats-rollup-settings';
import { StatsStore } from '../../src/insights/stats/stats-store';
import { createDataSource, MIGRATIONS } from '../../src/persistence/data-source';
import { StatsRollups1764374400000 } from '../../src/persistence/migrations/1764374400000-stats-rollups';
import { forkTs } from '../support/child-process';
import { BenchDb, ensureDatabase, recreateDatabase } from '../support/databases';
import { GatewayFleet } from '../support/gateway-fleet';
import { LatencyRecorder } from '../support/percentiles';
import type { BenchContext, Metric, Scenario } from '../support/scenario';

const ADMIN_KEY = 'tb-demo-admin-key';
const SEED_SCRIPT = join(__dirname, '..', 'seed-cases.ts');
const MIGRATIONS_DIR = join(__dirname, '..', '..', 'src', 'persistence', 'migrations');
const DATABASE = 'tb_bench_1m';
const GROUPINGS = ['department', 'service', 'region', 'day'] as const;
/** The key bench/seed-cases.ts encrypts with (synthetic data, not a secret): the gateway must read it. */
const SEED_SECRET = createHash('sha256').update('tongban bench key, not a secret').digest();
const SEED_DATA_KEYS = `k1:${SEED_SECRET.toString('base64')}`;

interface Sampled {
  id: string;
  idNumber: string;
}

/**
 * The seed script and the migrations it ran: when either changes (even in place, as happens while
 * they are being written), the kept database no longer matches the gateway and is seeded again.
 * Migrations added after the seed do not make it stale: the gateway applies them at start (and this
 * scenario before that, see ensureStatsRollups), so a fingerprint of the seed script with the first
 * k migrations, for any k, still matches.
 */
function seedFingerprints(): string[] {
  const names = readdirSync(MIGRATIONS_DIR).sort();
  const fingerprints: string[] = [];
  for (let k = names.length; k >= 1; k--) {
    const hash = createHash('sha256').update(readFileSync(SEED_SCRIPT));
    for (const name of names.slice(0, k)) hash.update(name).update(readFileSync(join(MIGRATIONS_DIR, name)));
    fingerprints.push(hash.digest('hex'));
  }
  return fingerprints;
}

/**
 * A database server in service has its hot indexes and rows in memory; the bench's was just started.
 * One pass over what the lookup reads (the applicant index, the cases, the deliveries by case) loads
 * them into the buffer pool (TONGBAN_BENCH_BUFFER_POOL), so the timings are those of a running server.
 */
async function warmBufferPool(ctx: BenchContext, db: BenchDb): Promise<void> {
  const started = Date.now();
  ctx.progress.line("  warming the buffer pool (the lookup's indexes and rows, once) …");
  await db.count(
    "SELECT COUNT(*) AS n FROM cases FORCE INDEX (ix_cases_applicant) WHERE applicant_id_hash > ''",
  );
  await db.count('SELECT COUNT(*) AS n FROM cases FORCE INDEX (PRIMARY) WHERE LENGTH(payload) > 0');
  await db.count("SELECT COUNT(*) AS n FROM deliveries FORCE INDEX (ix_deliveries_case) WHERE case_id > ''");
  await db.count("SELECT COUNT(*) AS n FROM deliveries FORCE INDEX (PRIMARY) WHERE status > ''");
  ctx.progress.line(`  buffer pool warm in ${Math.round((Date.now() - started) / 1000)} s`);
}

const WARM_UP_LOOKUPS = 50;
const lookupsPerRun = (ctx: BenchContext) => (ctx.options.quick ? 50 : 150);

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

async function timed(url: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-purpose': 'bench' },
  });
  await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status };
}

/**
 * GET /stats answers whole settled days from daily roll-ups that worker processes keep fresh
 * (src/insights/stats/rollup). This scenario runs an api process only, so it brings them up to date
 * itself before timing: it applies the roll-up migration (also when the build does not list it yet)
 * and runs one refresh pass, its progress as ours. The first build over 1M cases takes ≈ 2 min;
 * later runs only add the days settled since (the seeded cases do not change).
 */
async function ensureStatsRollups(ctx: BenchContext, databaseUrl: string): Promise<void> {
  const db = createDataSource(databaseUrl, 4);
  const listed = MIGRATIONS.some((m) => m === StatsRollups1764374400000);
  db.setOptions({ migrations: listed ? MIGRATIONS : [...MIGRATIONS, StatsRollups1764374400000] });
  await db.initialize();
  const asProgress = (message: unknown) => {
    const { msg, ...rest } = message as { msg?: string };
    ctx.progress.line(`    ${msg ?? String(message)} ${msg ? JSON.stringify(rest) : ''}`);
  };
  const progress: LoggerService = { log: asProgress, warn: asProgress, error: asProgress };
  Logger.overrideLogger(progress);
  try {
    await db.runMigrations({ transaction: 'each' });
    ctx.progress.line(
      '  stats roll-ups: refreshing the daily roll-ups before timing (a first build ≈ 2 min) …',
    );
    const started = Date.now();
    const pass = new StatsRollupPass(
      StatsRollupSettings.fromEnvironment(process.env),
      new StatsRollupDays(db),
      new StatsRollupBuilder(db, new StatsStore(db)),
    );
    const built = await pass.run();
    ctx.progress.line(
      `  stats roll-ups: ${built} day(s) built in ${Math.round((Date.now() - started) / 1000)} s`,
    );
  } finally {
    Logger.overrideLogger(new ConsoleLogger());
    await db.destroy();
  }
}

/** Runs bench/seed-cases.ts (its own CLI) into an empty database, its progress as ours. */
async function seed(ctx: BenchContext, databaseUrl: string): Promise<void> {
  const child = forkTs('seed-cases', SEED_SCRIPT, {}, join(ctx.logDir, 'seed-cases.log'), [
    '--url',
    databaseUrl,
    '--cases',
    String(ctx.options.rows),
    '--no-measure',
  ]);
  child.child.stdout?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) ctx.progress.line(`    ${line}`);
  });
  const code = await new Promise<number | null>((resolve) => child.child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench/seed-cases.ts exited with ${String(code)}; see ${child.logFile}`);
}

/**
 * Lookup and statistics at 1M cases through a real api process: the resident lookup
 * GET /cases?applicantIdNumber= and GET /cases/{id} (sequential, random seeded people), and
 * GET /stats for every grouping. Pluggable: the rows come from bench/seed-cases.ts, seeded once
 * into tb_bench_1m and kept in the bench data dir; without that script the scenario is skipped.
 */
export function millionRowsScenario(): Scenario {
  let fleet: GatewayFleet | undefined;
  let db: BenchDb | undefined;
  let sample: Sampled[] = [];
  let statsAvailable = true;
  return {
    id: 'tongban.1m',
    title: 'Tongban lookup and stats at 1M cases',
    async setup(ctx) {
      if (!existsSync(SEED_SCRIPT)) return 'bench/seed-cases.ts not found (it seeds the 1M cases)';
      let databaseUrl = await ensureDatabase(ctx.serverUrl, DATABASE);
      db = await BenchDb.open(databaseUrl);
      const have = (await db.hasTable('cases')) ? await db.count('SELECT COUNT(*) AS n FROM cases') : 0;
      const fingerprintFile = join(ctx.options.dataDir, `${DATABASE}.fingerprint`);
      const [current, ...earlier] = seedFingerprints();
      const recorded = readIfExists(fingerprintFile);
      const stale = have > 0 && recorded !== current && !earlier.includes(recorded ?? '');
      if (have < ctx.options.rows || stale) {
        const why = stale ? 'seeded by another seed script or migrations' : `holds ${have} cases`;
        if (ctx.options.quick) return `quick mode: ${DATABASE} ${why}; a full run seeds it (once)`;
        ctx.progress.line(
          `  seeding ${ctx.options.rows} cases into ${DATABASE} (${why}; kept under ${ctx.options.dataDir})`,
        );
        await db.close();
        databaseUrl = await recreateDatabase(ctx.serverUrl, DATABASE); // the seed refuses a database with cases
        await seed(ctx, databaseUrl);
        writeFileSync(fingerprintFile, current);
        db = await BenchDb.open(databaseUrl);
      }
      await ensureStatsRollups(ctx, databaseUrl);
      fleet = await GatewayFleet.start({
        name: 'tongban-1m',
        main: ctx.main,
        roles: ['api'],
        databaseUrl,
        redisUrl: ctx.redisUrl,
        configDir: ctx.configDir,
        queuePrefix: `bench-${ctx.runId}-1m`,
        dataKeys: SEED_DATA_KEYS,
        dataDir: ctx.runDir,
        logDir: ctx.logDir,
      });
      const cipher = PersonalDataCipher.fromEnvironment({ TONGBAN_DATA_KEYS: SEED_DATA_KEYS });
      // Every timed lookup is of another person (a repeat would be served from the cache), plus
      // WARM_UP_LOOKUPS others for the untimed warm-up of the fresh api process.
      const needed = lookupsPerRun(ctx) * ctx.options.runs + WARM_UP_LOOKUPS;
      const ids = await db.rows<{ id: string }>('SELECT id FROM cases ORDER BY RAND() LIMIT ?', [needed]);
      const rows = await db.rows<{ id: string; payload: string }>(
        'SELECT id, payload FROM cases WHERE id IN (?)',
        [ids.map((r) => r.id)],
      );
      try {
        sample = rows.map((r) => ({
          id: r.id,
          idNumber: (JSON.parse(cipher.decrypt(r.payload)) as { applicant: { idNumber: string } }).applicant
            .idNumber,
        }));
      } catch {
        return `the seeded cases are not encrypted with the key this scenario expects (${DATABASE}: drop it to reseed)`;
      }
      ctx.progress.line(`  ${await db.count('SELECT COUNT(*) AS n FROM cases')} cases in ${DATABASE}`);
      await warmBufferPool(ctx, db);
      const base = `${fleet.apiUrls[0]}/api/v1`;
      for (const row of sample.splice(0, WARM_UP_LOOKUPS)) {
        await timed(`${base}/cases?applicantIdNumber=${row.idNumber}`);
        await timed(`${base}/cases/${row.id}`);
      }
    },
    async run(ctx, run) {
      const base = `${fleet!.apiUrls[0]}/api/v1`;
      const lookups = lookupsPerRun(ctx);
      const byIdNumber = new LatencyRecorder();
      const byCaseId = new LatencyRecorder();
      for (let i = 0; i < lookups; i++) {
        const row = sample[(run * lookups + i) % sample.length];
        const search = await timed(`${base}/cases?applicantIdNumber=${row.idNumber}`);
        if (search.status !== 200) throw new Error(`GET /cases?applicantIdNumber= answered ${search.status}`);
        byIdNumber.record(search.ms);
        const one = await timed(`${base}/cases/${row.id}`);
        if (one.status !== 200) throw new Error(`GET /cases/{id} answered ${one.status}`);
        byCaseId.record(one.ms);
      }
      const metrics: Metric[] = [
        latencyMetric(
          'tongban.lookup',
          `lookup at ${size(ctx)}: GET /cases?applicantIdNumber= (median)`,
          byIdNumber,
        ),
        latencyMetric('tongban.lookup-by-id', `lookup at ${size(ctx)}: GET /cases/{id} (median)`, byCaseId),
      ];
      if (statsAvailable) {
        const stats = await statsMetrics(ctx, base, run);
        if (stats.length === 0) statsAvailable = false;
        metrics.push(...stats);
      }
      return metrics;
    },
    async teardown() {
      await db?.close();
      await fleet?.stop();
    },
  };
}

/** 1000000 → "1M cases", 20000 → "20k cases". */
const size = (ctx: BenchContext): string =>
  ctx.options.rows >= 1_000_000
    ? `${ctx.options.rows / 1_000_000}M cases`
    : `${Math.round(ctx.options.rows / 1_000)}k cases`;

function latencyMetric(id: string, label: string, recorder: LatencyRecorder): Metric {
  const summary = recorder.summary();
  return {
    id,
    label,
    unit: 'ms',
    higherIsBetter: false,
    value: summary.p50,
    detail: { ...summary, requests: recorder.count },
  };
}

/**
 * GET /stats for every grouping, over all rows (a year, the 1M cases) and over the default last
 * 30 days; each figure is the slowest measured grouping's median. A slow endpoint must not blow the
 * bench's time: each range gets a time budget per run, groupings start at a different one each run
 * (so all get measured across the runs), and a grouping stops repeating once it has used its share.
 */
async function statsMetrics(ctx: BenchContext, base: string, run: number): Promise<Metric[]> {
  const budgetMs = ctx.options.quick ? 10_000 : 25_000;
  const ranges = [
    [
      'tongban.stats',
      `stats at ${size(ctx)}: GET /stats over all rows, slowest grouping (median)`,
      `&from=2000-01-01T00:00:00Z&to=${new Date().toISOString()}`,
    ],
    ['tongban.stats-30d', `stats at ${size(ctx)}: GET /stats, last 30 days, slowest grouping (median)`, ''],
  ] as const;
  const order = GROUPINGS.map((_, i) => GROUPINGS[(i + run) % GROUPINGS.length]);
  const metrics: Metric[] = [];
  for (const [id, label, range] of ranges) {
    const started = Date.now();
    const perGrouping: Record<string, ReturnType<LatencyRecorder['summary']> & { requests: number }> = {};
    for (const groupBy of order) {
      if (Date.now() - started > budgetMs) break;
      const recorder = new LatencyRecorder();
      const groupStarted = Date.now();
      for (let i = 0; i < 3 && Date.now() - groupStarted < budgetMs / GROUPINGS.length; i++) {
        const answer = await timed(`${base}/stats?groupBy=${groupBy}${range}`);
        if (answer.status === 404) {
          ctx.progress.line('  GET /api/v1/stats answers 404: stats not measured');
          return [];
        }
        if (answer.status !== 200) throw new Error(`GET /stats?groupBy=${groupBy} answered ${answer.status}`);
        recorder.record(answer.ms);
      }
      perGrouping[groupBy] = { ...recorder.summary(), requests: recorder.count };
    }
    const unmeasured = GROUPINGS.filter((g) => !(g in perGrouping));
    const [slowest, summary] = Object.entries(perGrouping).reduce((a, b) => (b[1].p50 > a[1].p50 ? b : a));
    if (unmeasured.length > 0)
      ctx.progress.line(
        `    ${id}: over its ${budgetMs / 1000} s budget, ${unmeasured.join(', ')} not timed this run`,
      );
    metrics.push({
      id,
      label,
      unit: 'ms',
      higherIsBetter: false,
      value: summary.p50,
      detail: { slowest, perGrouping, unmeasured },
    });
  }
  return metrics;
}
