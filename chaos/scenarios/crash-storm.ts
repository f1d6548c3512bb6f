import { join } from 'node:path';
import { validCase, type Department } from '../support/case-factory';
import { deliveryBlock, writeChaosConfig } from '../support/chaos-config';
import { DepartmentSims } from '../support/department-sims';
import { Fleet } from '../support/fleet';
import { seconds } from '../support/progress';
import { stalledJobs } from '../support/queue-probe';
import type { ChaosContext, Scenario, Verdict } from '../support/scenario';
import { submitAll } from '../support/submitter';
import { ticker } from '../support/ticker';
import { sleep, waitUntil } from '../support/wait';

/**
 * Workers SIGKILLed every few seconds, Redis killed and restarted once, MariaDB restarted once,
 * while cases flow to a REST and a SOAP department: nothing lost, nothing applied twice, nothing
 * dead-lettered, and the backlog drained soon after the last fault.
 */
export const crashStorm: Scenario = {
  name: 'crash-storm',
  title: 'worker SIGKILLs, Redis kill, MariaDB restart: 0 lost, 0 duplicates, 0 dead letters',
  async run(ctx: ChaosContext, verdict: Verdict): Promise<void> {
    const o = ctx.options.storm;
    const sims = await new DepartmentSims().start();
    const storm = {
      concurrency: 16,
      timeoutMs: 3_000,
      attempts: 30,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      failureThreshold: 50,
      cooldownMs: 500,
      maxCooldownMs: 1_000,
    };
    const configDir = writeChaosConfig(join(ctx.runDir, 'config-storm'), {
      webhookUrl: ctx.webhookUrl,
      departments: [
        { code: 'CIVIL', url: sims.civilUrl, delivery: deliveryBlock(storm) },
        { code: 'HRSS', url: sims.hrssEndpoint, delivery: deliveryBlock({ ...storm, concurrency: 8 }) },
      ],
    });
    const fleet = new Fleet(ctx, 'storm', {
      configDir,
      env: { TONGBAN_RECONCILE_INTERVAL_MS: '2000', TONGBAN_RECONCILE_GRACE_MS: '10000' },
    });
    try {
      await fleet.startAll(o.workers);
      const hrssEvery = o.hrssShare > 0 ? Math.max(1, Math.round(1 / o.hrssShare)) : 0;
      const departments: Department[] = Array.from({ length: o.cases }, (_, i) =>
        hrssEvery > 0 && i % hrssEvery === 0 ? 'HRSS' : 'CIVIL',
      );
      const bodies = departments.map((d) => validCase(ctx.personal, d, 'storm'));
      const hrssCases = departments.filter((d) => d === 'HRSS').length;
      ctx.progress.line(
        `crash-storm: ${o.cases} cases (${hrssCases} HRSS), a worker SIGKILLed every ${o.killEveryMs / 1000} s for ${o.seconds} s`,
      );

      const faults = { kills: 0, redisKilledAt: 0, mariadbRestartedAt: 0, lastFaultAt: 0, startFailures: 0 };
      const stormStart = Date.now();
      const replacements: Array<Promise<unknown>> = [];
      let replaceError: Error | undefined;
      // A replacement may itself start into a Redis or MariaDB restart: try again, as a supervisor would.
      const replace = async (): Promise<void> => {
        for (let attempt = 1; ; attempt++) {
          try {
            await fleet.start('worker');
            return;
          } catch (error) {
            faults.startFailures++;
            if (attempt >= 3) throw error;
            await sleep(2_000);
          }
        }
      };
      const stormDone = (async () => {
        for (let tick = 1; tick * o.killEveryMs < o.seconds * 1000; tick++) {
          await sleep(stormStart + tick * o.killEveryMs - Date.now());
          // The oldest worker that has had at least one interval to work: on a slow machine a
          // replacement may take longer than the interval to start, and killing it at once would
          // only measure start-up.
          const victim = fleet.workers.find((w) => Date.now() - (w.readyAt ?? Infinity) >= o.killEveryMs);
          if (victim) {
            victim.kill();
            faults.kills++;
            faults.lastFaultAt = Date.now();
            replacements.push(replace().catch((error: Error) => (replaceError ??= error)));
          }
          const elapsed = Date.now() - stormStart;
          if (!faults.redisKilledAt && elapsed >= (o.seconds * 1000) / 3) {
            ctx.progress.line('crash-storm: SIGKILL redis-server, restart after 1 s');
            await ctx.services.redis.kill();
            await sleep(1_000);
            await ctx.services.redis.restart();
            faults.redisKilledAt = faults.lastFaultAt = Date.now();
          } else if (!faults.mariadbRestartedAt && elapsed >= (2 * o.seconds * 1000) / 3) {
            ctx.progress.line('crash-storm: restarting mariadbd');
            await ctx.services.mariadb.restart();
            faults.mariadbRestartedAt = faults.lastFaultAt = Date.now();
          }
        }
        await Promise.all(replacements);
        if (replaceError) throw replaceError;
      })();
      // Awaited after the submissions; a failure before then must not go unhandled meanwhile.
      stormDone.catch(() => undefined);

      const stopTicker = ticker(10_000, async () => {
        const delivered = await fleet.delivered().then(String, () => '? (database unavailable)');
        ctx.progress.line(
          `crash-storm: ${seconds(Date.now() - stormStart)} s, delivered ${delivered}/${o.cases}, ${faults.kills} kills`,
        );
      });
      // Spread over most of the storm, so cases also arrive while Redis and MariaDB are down.
      const submit = await submitAll(
        () => fleet.api.url,
        bodies,
        ctx.options.submitConcurrency,
        o.cases / (o.seconds * 0.8),
      );
      const submittedAt = Date.now();
      ctx.progress.line(`crash-storm: all ${o.cases} submitted in ${seconds(submittedAt - stormStart)} s`);
      await stormDone;
      if (faults.redisKilledAt === 0 || faults.mariadbRestartedAt === 0)
        verdict.check(false, 'the storm was too short to kill Redis and restart MariaDB');

      const drainFrom = Math.max(faults.lastFaultAt, submittedAt);
      const drained = await waitUntil(
        async () => (await fleet.delivered().catch(() => 0)) >= o.cases,
        (o.drainLimitSeconds + 60) * 1000,
        500,
      );
      stopTicker();
      const drainedAt = Date.now();

      const delivered = await fleet.delivered();
      const statuses = await fleet.statusCounts();
      const civil = sims.civil.stats();
      const hrss = sims.hrss.stats();
      verdict.figure('cases', o.cases);
      verdict.figure('kills', faults.kills);
      verdict.figure('redisKilled', faults.redisKilledAt > 0);
      verdict.figure('mariadbRestarted', faults.mariadbRestartedAt > 0);
      verdict.figure('submitRetries', submit.retries);
      verdict.figure('stored', await fleet.count('cases'));
      verdict.figure('lost', o.cases - delivered);
      verdict.figure('duplicatesApplied', civil.duplicatesApplied + hrss.duplicatesApplied);
      verdict.figure('deadLettered', statuses.DEAD_LETTERED ?? 0);
      verdict.figure('stalledJobs', await stalledJobs(fleet, ['CIVIL', 'HRSS']));
      verdict.figure('drainS', seconds(drainedAt - drainFrom));
      verdict.figure('stormS', seconds(faults.lastFaultAt - stormStart));
      verdict.figure(
        'meanKillIntervalS',
        faults.kills > 0 ? seconds((faults.lastFaultAt - stormStart) / faults.kills) : 0,
      );
      verdict.figure('workerStartFailures', faults.startFailures);

      verdict.check(
        drained && delivered === o.cases,
        `lost: ${o.cases - delivered} not delivered (${JSON.stringify(statuses)})`,
      );
      verdict.check(
        verdict.figures.stored === o.cases,
        `stored ${String(verdict.figures.stored)} cases for ${o.cases} submitted`,
      );
      verdict.check(
        civil.casesCreated === o.cases - hrssCases && civil.uniqueIdempotencyKeys === o.cases - hrssCases,
        `CIVIL holds ${civil.casesCreated} cases for ${o.cases - hrssCases} sent`,
      );
      verdict.check(
        hrss.uniqueRequestIds === hrssCases,
        `HRSS holds ${hrss.uniqueRequestIds} for ${hrssCases} sent`,
      );
      verdict.check(verdict.figures.duplicatesApplied === 0, 'business duplicates at the departments');
      verdict.check(verdict.figures.deadLettered === 0, 'dead-lettered deliveries');
      verdict.check(
        drained && drainedAt - drainFrom <= o.drainLimitSeconds * 1000,
        `not drained within ${o.drainLimitSeconds} s of the last fault`,
      );
    } finally {
      await fleet.stop();
      await sims.stop();
    }
  },
};
