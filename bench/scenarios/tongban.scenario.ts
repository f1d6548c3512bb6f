import { Queue } from 'bullmq';
import { deliveryQueueName } from '../../src/queue/queue-names';
import { CaseFactory } from '../support/case-factory';
import { BenchDb, recreateDatabase } from '../support/databases';
import { measureEndToEnd, waitDrained, type DeliveryTable } from '../support/end-to-end';
import { cpuMeter } from '../support/child-process';
import { GatewayFleet, type Role } from '../support/gateway-fleet';
import { closedLoop, openLoop, type LoadTarget } from '../support/load-generator';
import { redisOptions } from '../support/redis-options';
import { describeServerWork, serverWorkMeter } from '../support/server-work';
import { windowMs, type BenchContext, type Metric, type Scenario } from '../support/scenario';
import type { SimulatorCounts } from '../support/simulators.process';

export const PLATFORM_KEY = 'tb-demo-platform-key';
const DELIVERIES: DeliveryTable = {
  undeliveredSql: 'SELECT COUNT(*) AS n FROM deliveries WHERE delivered_at IS NULL',
  deliveredSql:
    'SELECT COUNT(*) AS n FROM deliveries d JOIN cases c ON c.id = d.case_id ' +
    'WHERE c.external_id LIKE ? AND d.delivered_at >= ? AND d.delivered_at < ?',
};
/** A run leaves nothing queued for the next one, unless the pipeline is far behind. */
export const drainTimeoutMs = (ctx: BenchContext): number => (ctx.options.quick ? 30_000 : 60_000);

/** The bench's Tongban: real processes from the build on a fresh database and queue prefix. */
async function startTongban(ctx: BenchContext, name: string, roles: Role[]) {
  const database = `tb_bench_${name.replace(/-/g, '_')}`;
  const databaseUrl = await recreateDatabase(ctx.serverUrl, database);
  const queuePrefix = `bench-${ctx.runId}-${name}`;
  const fleet = await GatewayFleet.start({
    name: `tongban-${name}`,
    main: ctx.main,
    roles,
    databaseUrl,
    redisUrl: ctx.redisUrl,
    configDir: ctx.configDir,
    queuePrefix,
    dataKeys: ctx.dataKeys,
    dataDir: ctx.runDir,
    logDir: ctx.logDir,
  });
  return { fleet, db: await BenchDb.open(databaseUrl), queuePrefix };
}

function intakeTarget(urls: string[], cases: CaseFactory): LoadTarget {
  return {
    urls: urls.map((u) => `${u}/api/v1/cases`),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${PLATFORM_KEY}` },
    body: () => cases.body(),
  };
}

/** CPU milliseconds per case of the pipeline's own processes: steadier than rates on a busy machine. */
export function cpuPerCase(
  id: string,
  label: string,
  cpuSeconds: number,
  cases: number,
  /** MariaDB + Redis CPU meanwhile (they served this pipeline alone), kept in the detail. */
  serverSeconds: number,
  extra: Record<string, unknown> = {},
): Metric {
  const perCase = (seconds: number) => (seconds * 1000) / Math.max(1, cases);
  return {
    id,
    label,
    unit: 'ms/case',
    higherIsBetter: false,
    value: perCase(cpuSeconds),
    detail: { cpuSeconds, cases, serverCpuMsPerCase: perCase(serverSeconds), ...extra },
  };
}

const roles = (ctx: BenchContext, workers: boolean): Role[] => [
  ...Array<Role>(ctx.options.apiProcesses).fill('api'),
  ...Array<Role>(workers ? ctx.options.workerProcesses : 0).fill('worker'),
];

/**
 * Intake alone: api processes only, so departments are stalled (no worker takes a job). A case
 * counts when its 202 arrived: validated, committed in MySQL and on its BullMQ queue.
 */
export function tongbanIntake(): Scenario {
  let started: Awaited<ReturnType<typeof startTongban>> | undefined;
  let queue: Queue | undefined;
  return {
    id: 'tongban.intake',
    title: 'Tongban intake only (api processes, departments stalled)',
    async setup(ctx) {
      started = await startTongban(ctx, 'intake', roles(ctx, false));
      queue = new Queue(deliveryQueueName('CIVIL'), {
        connection: redisOptions(ctx.redisUrl),
        prefix: started.queuePrefix,
      });
    },
    async run(ctx, run) {
      const { fleet, db } = started!;
      const cases = new CaseFactory(`IN-${ctx.runId}-${run}`);
      const before = { rows: await db.count('SELECT COUNT(*) AS n FROM cases'), jobs: await queue!.count() };
      const cpu = cpuMeter(fleet.children);
      const servers = cpuMeter(ctx.serverPids);
      const work = await serverWorkMeter(db, ctx.redisUrl);
      const result = await closedLoop(intakeTarget(fleet.apiUrls, cases), {
        concurrency: ctx.options.concurrency,
        ...windowMs(ctx),
      });
      const cpuSeconds = cpu.stop();
      const serverSeconds = servers.stop();
      const serverWork = await work.stop(result.okTotal);
      ctx.progress.line(`    intake: ${describeServerWork(serverWork)}`);
      const stored = (await db.count('SELECT COUNT(*) AS n FROM cases')) - before.rows;
      const queued = (await queue!.count()) - before.jobs;
      if (stored !== result.okTotal || queued !== result.okTotal)
        ctx.progress.line(`    CHECK: ${result.okTotal} accepted, ${stored} stored, ${queued} queued`);
      return [
        {
          id: 'tongban.intake',
          label: 'Tongban intake only (validated, committed, enqueued)',
          unit: 'cases/s',
          higherIsBetter: true,
          value: result.okPerSecond,
          detail: {
            latencyMs: result.latency.summary(),
            outcomes: result.outcomes,
            check: { accepted: result.okTotal, stored, queued },
          },
        },
        cpuPerCase(
          'tongban.intake.cpu',
          'Tongban intake: CPU of the api processes per case',
          cpuSeconds,
          result.okTotal,
          serverSeconds,
          { serverWork },
        ),
      ];
    },
    async teardown() {
      await queue?.close();
      await started?.db.close();
      await started?.fleet.stop();
    },
  };
}

/**
 * End to end over REST: api + worker processes, CIVIL's simulator acknowledging. Figure: deliveries
 * that became DELIVERED per second during the window (by deliveries.delivered_at). The same fleet
 * then takes an open-loop 1,000 cases/s for the intake latency figure.
 */
export function tongbanEndToEnd(): Scenario {
  let started: Awaited<ReturnType<typeof startTongban>> | undefined;
  return {
    id: 'tongban.e2e-rest',
    title: 'Tongban end to end REST (+ intake latency at a fixed offered rate)',
    async setup(ctx) {
      started = await startTongban(ctx, 'e2e', roles(ctx, true));
    },
    async run(ctx, run) {
      const { fleet, db } = started!;
      const prefix = `E2E-${ctx.runId}-${run}`;
      const target = intakeTarget(fleet.apiUrls, new CaseFactory(prefix));
      const cpu = cpuMeter(fleet.children);
      const workers = cpuMeter(fleet.members.filter((m) => m.role === 'worker').map((m) => m.child));
      const servers = cpuMeter(ctx.serverPids);
      const [mariadb, redis] = ctx.serverPids.map((pid) => cpuMeter([pid]));
      const simulator = cpuMeter([ctx.simulators.process]);
      const work = await serverWorkMeter(db, ctx.redisUrl);
      const e2e = await measureEndToEnd(target, {
        db,
        rows: DELIVERIES,
        prefix,
        concurrency: ctx.options.concurrency,
        ...windowMs(ctx),
        drainTimeoutMs: drainTimeoutMs(ctx),
        progress: ctx.progress,
      });
      const cpuSeconds = cpu.stop();
      const workerSeconds = workers.stop();
      const serverSeconds = servers.stop();
      const split = { mariadb: mariadb.stop(), redis: redis.stop(), simulator: simulator.stop() };
      const serverWork = await work.stop(e2e.load.okTotal);
      const failed = await db.count(
        "SELECT COUNT(*) AS n FROM deliveries WHERE status IN ('RETRY_WAIT','DEAD_LETTERED','REJECTED')",
      );
      ctx.progress.line(
        `    e2e: ${Math.round(e2e.deliveredPerSecond)} delivered/s, ${Math.round(e2e.load.okPerSecond)} accepted/s; ` +
          `latency at ${ctx.latencyRate()}/s next`,
      );
      ctx.progress.line(`    e2e: ${describeServerWork(serverWork)}`);
      const rate = ctx.latencyRate();
      const latency = await openLoop(target, { rate, ...windowMs(ctx) });
      await waitDrained(db, DELIVERIES, drainTimeoutMs(ctx), ctx.progress);
      const counts = await ctx.simulators.process.ask<SimulatorCounts>('stats');
      const lat = latency.latency.summary();
      const metrics: Metric[] = [
        {
          id: 'tongban.e2e-rest',
          label: 'Tongban end to end REST (accepted → DELIVERED)',
          unit: 'cases/s',
          higherIsBetter: true,
          value: e2e.deliveredPerSecond,
          detail: {
            acceptedPerSecond: e2e.load.okPerSecond,
            backlogAtEnd: e2e.backlogAtEnd,
            drainSeconds: e2e.drainSeconds,
            intakeLatencyMs: e2e.load.latency.summary(),
            outcomes: e2e.load.outcomes,
            failedDeliveries: failed,
            simulator: counts,
          },
        },
        cpuPerCase(
          'tongban.e2e-rest.cpu',
          'Tongban end to end: CPU of all gateway processes per case',
          cpuSeconds,
          e2e.load.okTotal,
          serverSeconds,
          // Where the cost sits: intake (api) or delivery (worker), and which server.
          {
            workerCpuMsPerCase: (workerSeconds * 1000) / Math.max(1, e2e.load.okTotal),
            mariadbCpuMsPerCase: (split.mariadb * 1000) / Math.max(1, e2e.load.okTotal),
            redisCpuMsPerCase: (split.redis * 1000) / Math.max(1, e2e.load.okTotal),
            simulatorCpuMsPerCase: (split.simulator * 1000) / Math.max(1, e2e.load.okTotal),
            serverWork,
          },
        ),
        {
          id: 'tongban.intake-latency.p99',
          label: `Tongban intake latency p99 at ${rate} cases/s offered (workers delivering)`,
          unit: 'ms',
          higherIsBetter: false,
          value: lat.p99,
          detail: {
            ...lat,
            offeredPerSecond: rate,
            achievedPerSecond: latency.okPerSecond,
            dropped: latency.dropped,
            outcomes: latency.outcomes,
          },
        },
        {
          id: 'tongban.intake-latency.p50',
          label: `Tongban intake latency p50 at ${rate} cases/s offered`,
          unit: 'ms',
          higherIsBetter: false,
          value: lat.p50,
        },
      ];
      return metrics;
    },
    async teardown() {
      await started?.db.close();
      await started?.fleet.stop();
    },
  };
}
