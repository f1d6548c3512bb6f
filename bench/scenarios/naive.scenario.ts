import { join } from 'node:path';
import { CaseFactory } from '../support/case-factory';
import { cpuMeter, forkTs, type BenchChild } from '../support/child-process';
import { BenchDb, recreateDatabase } from '../support/databases';
import { measureEndToEnd, type DeliveryTable } from '../support/end-to-end';
import { closedLoop, type LoadTarget } from '../support/load-generator';
import { describeServerWork, serverWorkMeter } from '../support/server-work';
import { windowMs, type BenchContext, type Scenario } from '../support/scenario';
import { cpuPerCase, drainTimeoutMs, PLATFORM_KEY } from './tongban.scenario';

const MAIN = join(__dirname, '..', 'naive', 'naive-main.ts');
const NAIVE_CASES: DeliveryTable = {
  undeliveredSql: 'SELECT COUNT(*) AS n FROM naive_cases WHERE delivered_at IS NULL',
  deliveredSql:
    'SELECT COUNT(*) AS n FROM naive_cases WHERE external_id LIKE ? AND delivered_at >= ? AND delivered_at < ?',
};

interface NaiveFleet {
  children: BenchChild[];
  apiUrls: string[];
  adapter: string;
  db: BenchDb;
}

/** The naive pipeline with the same process layout as Tongban's (api and worker processes). */
async function startNaive(ctx: BenchContext, name: string, workers: boolean): Promise<NaiveFleet> {
  const databaseUrl = await recreateDatabase(ctx.serverUrl, `naive_bench_${name}`);
  const env = (role: string) => ({
    NAIVE_ROLE: role,
    NAIVE_DATABASE_URL: databaseUrl,
    NAIVE_REDIS_URL: ctx.redisUrl,
    NAIVE_QUEUE: `naive-${ctx.runId}-${name}`,
    NAIVE_CIVIL_URL: ctx.simulators.civil,
    NAIVE_CONCURRENCY: String(ctx.options.deliveryConcurrency),
  });
  const children: BenchChild[] = [];
  const fleet: NaiveFleet = { children, apiUrls: [], adapter: '', db: undefined as unknown as BenchDb };
  const start = async (role: string, i: number) => {
    const child = forkTs(
      `naive ${role} #${i}`,
      MAIN,
      env(role),
      join(ctx.logDir, `naive-${name}-${role}-${i}.log`),
    );
    children.push(child);
    return child.ready<{ url: string; adapter: string }>();
  };
  try {
    // The first api process creates the table (synchronize); the others start once it exists.
    const first = await start('api', 1);
    fleet.adapter = first.adapter;
    fleet.apiUrls.push(first.url);
    const rest = await Promise.all([
      ...Array.from({ length: ctx.options.apiProcesses - 1 }, (_, i) => start('api', i + 2)),
      ...Array.from({ length: workers ? ctx.options.workerProcesses : 0 }, (_, i) => start('worker', i + 1)),
    ]);
    for (const ready of rest) if (ready.url) fleet.apiUrls.push(ready.url);
    fleet.db = await BenchDb.open(databaseUrl);
  } catch (error) {
    await Promise.all(children.map((c) => c.stop()));
    throw error;
  }
  return fleet;
}

async function stopNaive(fleet?: NaiveFleet): Promise<void> {
  await fleet?.db?.close();
  await Promise.all(fleet?.children.map((c) => c.stop()) ?? []);
}

function target(fleet: NaiveFleet, cases: CaseFactory): LoadTarget {
  return {
    urls: fleet.apiUrls.map((u) => `${u}/api/v1/cases`),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${PLATFORM_KEY}` },
    body: () => cases.body(),
  };
}

/** Naive intake alone: api processes only (nothing consumes the queue). */
export function naiveIntake(): Scenario {
  let fleet: NaiveFleet | undefined;
  return {
    id: 'naive.intake',
    title: 'naive pipeline intake only (api processes)',
    async setup(ctx) {
      fleet = await startNaive(ctx, 'intake', false);
    },
    async run(ctx, run) {
      const cpu = cpuMeter(fleet!.children);
      const servers = cpuMeter(ctx.serverPids);
      const result = await closedLoop(target(fleet!, new CaseFactory(`NI-${ctx.runId}-${run}`)), {
        concurrency: ctx.options.concurrency,
        ...windowMs(ctx),
      });
      const cpuSeconds = cpu.stop();
      const serverSeconds = servers.stop();
      return [
        {
          id: 'naive.intake',
          label: `naive intake (Nest/${fleet!.adapter} + ValidationPipe → TypeORM save → BullMQ add)`,
          unit: 'cases/s',
          higherIsBetter: true,
          value: result.okPerSecond,
          detail: {
            latencyMs: result.latency.summary(),
            outcomes: result.outcomes,
            httpAdapter: fleet!.adapter,
          },
        },
        cpuPerCase(
          'naive.intake.cpu',
          'naive intake: CPU of the api processes per case',
          cpuSeconds,
          result.okTotal,
          serverSeconds,
        ),
      ];
    },
    teardown: () => stopNaive(fleet),
  };
}

/** Naive end to end: the same measurement as Tongban's (rows delivered per second in the window). */
export function naiveEndToEnd(): Scenario {
  let fleet: NaiveFleet | undefined;
  return {
    id: 'naive.e2e-rest',
    title: 'naive pipeline end to end REST',
    async setup(ctx) {
      fleet = await startNaive(ctx, 'e2e', true);
    },
    async run(ctx, run) {
      const prefix = `NE-${ctx.runId}-${run}`;
      const cpu = cpuMeter(fleet!.children);
      const servers = cpuMeter(ctx.serverPids);
      const work = await serverWorkMeter(fleet!.db, ctx.redisUrl);
      const e2e = await measureEndToEnd(target(fleet!, new CaseFactory(prefix)), {
        db: fleet!.db,
        rows: NAIVE_CASES,
        prefix,
        concurrency: ctx.options.concurrency,
        ...windowMs(ctx),
        drainTimeoutMs: drainTimeoutMs(ctx),
        progress: ctx.progress,
      });
      const cpuSeconds = cpu.stop();
      const serverSeconds = servers.stop();
      const serverWork = await work.stop(e2e.load.okTotal);
      ctx.progress.line(`    naive e2e: ${describeServerWork(serverWork)}`);
      return [
        {
          id: 'naive.e2e-rest',
          label: `naive end to end REST (Nest/${fleet!.adapter}, TypeORM, BullMQ, axios)`,
          unit: 'cases/s',
          higherIsBetter: true,
          value: e2e.deliveredPerSecond,
          detail: {
            acceptedPerSecond: e2e.load.okPerSecond,
            backlogAtEnd: e2e.backlogAtEnd,
            drainSeconds: e2e.drainSeconds,
            intakeLatencyMs: e2e.load.latency.summary(),
            outcomes: e2e.load.outcomes,
            httpAdapter: fleet!.adapter,
          },
        },
        cpuPerCase(
          'naive.e2e-rest.cpu',
          'naive end to end: CPU of all its processes per case',
          cpuSeconds,
          e2e.load.okTotal,
          serverSeconds,
          { serverWork },
        ),
      ];
    },
    teardown: () => stopNaive(fleet),
  };
}
