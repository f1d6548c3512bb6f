/**
 * `npm run chaos [-- --quick]`: scripted fault scenarios against real gateway processes, private
 * Redis + MariaDB, department simulators and a TCP fault proxy. One PASS/FAIL line per scenario
 * with its figures, JSON under chaos/results/, exit code 1 if any failed. Knobs: TONGBAN_CHAOS_*
 * (chaos/support/options.ts); TONGBAN_TEST_MAIN points at another gateway build.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Logger } from '@nestjs/common';
import IORedis from 'ioredis';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { startEmbeddedServices, type EmbeddedServices } from '../src/embedded/embedded-services';
import { PlatformReceiver } from '../src/simulators/platform/platform-receiver';
import { PersonalDataRegistry } from './support/case-factory';
import { resolveGatewayBuild } from './support/gateway-build';
import { readChaosOptions, REPO_ROOT } from './support/options';
import { Progress } from './support/progress';
import { Verdict, type ChaosContext, type ScenarioResult } from './support/scenario';
import { resultLine, summary } from './support/report';
import { SCENARIOS } from './scenarios';

const KEPT_RUN_DIRS = 5;

function prepareRunDir(dataDir: string, runId: string): string {
  const runs = join(dataDir, 'runs');
  mkdirSync(runs, { recursive: true });
  const old = readdirSync(runs).sort();
  for (const name of old.slice(0, Math.max(0, old.length - KEPT_RUN_DIRS + 1)))
    rmSync(join(runs, name), { recursive: true, force: true });
  const runDir = join(runs, runId);
  mkdirSync(join(runDir, 'logs'), { recursive: true });
  return runDir;
}

/** Databases and queues of earlier runs, so every run starts from empty servers. */
async function clearEarlierRuns(services: EmbeddedServices): Promise<void> {
  const admin = await createConnection(services.databaseUrl);
  const [rows] = await admin.query<RowDataPacket[]>("SHOW DATABASES LIKE 'chaos\\_%'");
  for (const row of rows) await admin.query(`DROP DATABASE \`${String(Object.values(row)[0])}\``);
  await admin.end();
  const redis = new IORedis(services.redisUrl);
  await redis.flushall();
  await redis.quit();
}

async function main(): Promise<number> {
  // The microservice client of the hostile-input scenario logs through Nest; the suite prints its own lines.
  Logger.overrideLogger(false);
  const options = readChaosOptions();
  const progress = new Progress();
  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();
  const scenarios = SCENARIOS.filter(
    (s) => options.only.length === 0 || options.only.some((part) => s.name.includes(part)),
  );
  progress.line(
    `Tongban chaos${options.quick ? ' (quick)' : ''}: ${scenarios.map((s) => s.name).join(', ')}; ` +
      `load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  const main = resolveGatewayBuild(options.main, progress);
  progress.line(`gateway build: ${main}`);
  const runDir = prepareRunDir(options.dataDir, runId);
  const logDir = join(runDir, 'logs');

  progress.line(`starting private Redis and MariaDB under ${join(options.dataDir, 'servers')}`);
  const services = await startEmbeddedServices({ dataDir: join(options.dataDir, 'servers') });
  const receiver = new PlatformReceiver({ secret: 'demo-webhook-secret' });
  const ctx: ChaosContext = {
    options,
    progress,
    main,
    runDir,
    logDir,
    services,
    dataKeys: `chaos:${randomBytes(32).toString('base64')}`,
    personal: new PersonalDataRegistry(),
    receiver,
    webhookUrl: `${await receiver.start()}/tongban/webhooks`,
    fleets: [],
    errorBodies: [],
  };
  const killAll = (): void => {
    for (const fleet of ctx.fleets) for (const p of fleet.processes) p.kill();
  };
  process.once('exit', killAll);
  process.once('SIGINT', () => {
    progress.line('interrupted: stopping gateways and servers');
    killAll();
    void services.stop().finally(() => process.exit(130));
  });

  const results: ScenarioResult[] = [];
  try {
    await clearEarlierRuns(services);
    for (const scenario of scenarios) {
      progress.line(`▶ ${scenario.name}: ${scenario.title}`);
      const verdict = new Verdict();
      const started = Date.now();
      try {
        await scenario.run(ctx, verdict);
      } catch (error) {
        verdict.check(false, `error: ${(error as Error).message}`);
      }
      receiver.received.length = 0;
      const result: ScenarioResult = {
        name: scenario.name,
        title: scenario.title,
        pass: verdict.failures.length === 0,
        figures: verdict.figures,
        failures: verdict.failures,
        durationSeconds: Math.round((Date.now() - started) / 1000),
      };
      results.push(result);
      progress.line(resultLine(result));
    }
  } finally {
    progress.line('stopping gateways, simulators and servers');
    await Promise.all(ctx.fleets.map((f) => f.stop(true)));
    await receiver.stop();
    await services.stop();
  }

  process.stdout.write(`\n${summary(results, progress.elapsedSeconds)}\n`);
  const file = join(REPO_ROOT, 'chaos', 'results', `${runId}.json`);
  mkdirSync(join(REPO_ROOT, 'chaos', 'results'), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        quick: options.quick,
        options,
        gateway: main,
        machine: { load: loadavg() },
        durationSeconds: Math.round(progress.elapsedSeconds),
        logs: logDir,
        results,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`JSON: ${file.replace(`${REPO_ROOT}/`, '')}; logs: ${logDir}\n`);
  return results.every((r) => r.pass) ? 0 : 1;
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    process.stderr.write(`chaos failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
