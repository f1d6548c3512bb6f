/**
 * `npm run bench [-- --quick]`: private Redis + MariaDB + department simulators, every scenario of
 * bench/scenarios for a fixed time, min / median / max of the runs, ratios to the references and
 * the targets; JSON under bench/results/. Knobs: TONGBAN_BENCH_* (see bench/support/bench-options.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { startEmbeddedServices, type EmbeddedServices } from '../src/embedded/embedded-services';
import { benchGroups } from './scenarios';
import { readBenchOptions, REPO_ROOT, type BenchOptions } from './support/bench-options';
import { writeBenchConfig } from './support/bench-config';
import { forkTs, type BenchChild } from './support/child-process';
import { resolveGatewayBuild } from './support/gateway-build';
import { formatNumber, Progress } from './support/progress';
import { latencyRateFor, MetricBook, ratios, renderReport, targets } from './support/report';
import { runGroups, type ScenarioOutcome } from './support/runner';
import type { BenchContext } from './support/scenario';
import type { SimulatorUrls } from './support/simulators.process';
import { CpuSteal, stealNote } from './support/cpu-steal';
import { machineInfo, writeResults } from './support/results';

const KEPT_RUN_DIRS = 5;

function prepareRunDir(options: BenchOptions, runId: string): string {
  const runs = join(options.dataDir, 'runs');
  mkdirSync(runs, { recursive: true });
  const old = readdirSync(runs).sort();
  for (const name of old.slice(0, Math.max(0, old.length - KEPT_RUN_DIRS + 1)))
    rmSync(join(runs, name), { recursive: true, force: true });
  const runDir = join(runs, runId);
  mkdirSync(join(runDir, 'logs'), { recursive: true });
  return runDir;
}

async function main(): Promise<void> {
  const options = readBenchOptions();
  const progress = new Progress();
  const startedAt = new Date();
  const steal = new CpuSteal();
  const runId = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();
  const before = machineInfo();
  progress.line(
    `Tongban bench${options.quick ? ' (quick)' : ''}: ${options.runs} run(s) × ${options.seconds} s ` +
      `(+${options.warmupSeconds} s warm-up), ${options.apiProcesses} api + ${options.workerProcesses} worker ` +
      `process(es), ${options.concurrency} requests in flight; ${before.cpus} CPUs, load ${before.loadavg.join(' ')}`,
  );
  const main = resolveGatewayBuild(options, progress);
  mkdirSync(options.dataDir, { recursive: true });
  const runDir = prepareRunDir(options, runId);
  const logDir = join(runDir, 'logs');

  let services: EmbeddedServices | undefined;
  let simulators: BenchChild | undefined;
  const cleanUp = async () => {
    await simulators?.stop();
    await services?.stop();
  };
  process.once('SIGINT', () => {
    progress.line('interrupted: stopping the bench servers');
    void cleanUp().finally(() => process.exit(130));
  });

  const book = new MetricBook();
  let outcomes: ScenarioOutcome[] = [];
  try {
    progress.line(`starting private Redis and MariaDB under ${options.dataDir}`);
    // Sized like a database server for a million cases: their indexes and hot rows fit in memory.
    services = await startEmbeddedServices({
      dataDir: options.dataDir,
      bufferPoolSize: options.bufferPoolSize,
    });
    const redis = new IORedis(services.redisUrl);
    await redis.flushall(); // queues of earlier bench runs
    await redis.quit();
    simulators = forkTs(
      'simulators',
      join(__dirname, 'support', 'simulators.process.ts'),
      {},
      join(logDir, 'simulators.log'),
    );
    const urls = await simulators.ready<SimulatorUrls>();
    progress.line(`simulators: CIVIL (REST) ${urls.civil}, HRSS (SOAP) ${urls.hrss}`);
    const ctx: BenchContext = {
      options,
      progress,
      runDir,
      logDir,
      runId,
      redisUrl: services.redisUrl,
      serverUrl: services.databaseUrl,
      serverPids: [services.mariadb.pid, services.redis.pid],
      simulators: { ...urls, process: simulators },
      configDir: writeBenchConfig(join(runDir, 'config'), urls, options.deliveryConcurrency),
      dataKeys: `bench:${randomBytes(32).toString('base64')}`,
      main,
      latencyRate: () => latencyRateFor(book, options.latencyRate),
    };
    outcomes = await runGroups(ctx, benchGroups(), book);
  } finally {
    progress.line('stopping the bench servers');
    await cleanUp();
  }

  const found = ratios(book);
  const judged = targets(book, options.rows);
  process.stdout.write(`\n${renderReport(book, found, judged, options.runs)}\n`);
  for (const o of outcomes.filter((x) => x.status !== 'ok'))
    process.stdout.write(`  ${o.status.toUpperCase()}: ${o.title} — ${o.reason ?? ''}\n`);
  const file = writeResults({
    startedAt,
    options,
    machine: { before, after: machineInfo() },
    outcomes,
    book,
    ratios: found,
    targets: judged,
  });
  const busy = before.loadavg[0] > before.cpus / 2;
  const stolen = steal.fraction();
  process.stdout.write(
    (busy
      ? `\nThe machine was busy before the bench started (load ${before.loadavg.join(' ')} on ${before.cpus} CPUs): ` +
        'absolute figures are low and noisy; ratios (measured side by side) hold up better.\n'
      : '\n') +
      (stealNote(stolen)
        ? `The hypervisor took ${Math.round(stolen! * 100)} % of the CPU time during the bench (steal): ` +
          'every figure is depressed by it, latency tails most; per-run steal is in the JSON.\n'
        : '') +
      `JSON: ${file.replace(`${REPO_ROOT}/`, '')}; logs: ${logDir}; ${formatNumber(progress.elapsedSeconds / 60, 1)} min\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
