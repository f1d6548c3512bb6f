import { join } from 'node:path';
import IORedis from 'ioredis';
import { validCase } from '../support/case-factory';
import { deliveryBlock, writeChaosConfig } from '../support/chaos-config';
import { DepartmentSims } from '../support/department-sims';
import { Fleet } from '../support/fleet';
import { seconds } from '../support/progress';
import { missingJobs } from '../support/queue-probe';
import { REDIS_BEFORE_FLUSH, saveRedis } from '../support/redis-dump';
import type { ChaosContext, Scenario, Verdict } from '../support/scenario';
import { submitAll } from '../support/submitter';
import { waitFor, waitUntil } from '../support/wait';

const OPEN = "status IN ('PENDING', 'RETRY_WAIT', 'SENDING')";

/**
 * Redis loses everything mid-run (FLUSHALL) while part of the work is delivered, part waits on a
 * department that is down and more keeps arriving: the reconciler puts every undelivered delivery
 * back on its queue from MySQL, and everything is delivered once the department is back.
 */
export const redisFlush: Scenario = {
  name: 'redis-flush',
  title: 'FLUSHALL mid-run: every undelivered delivery back on its queue, all delivered once',
  async run(ctx: ChaosContext, verdict: Verdict): Promise<void> {
    const o = ctx.options.flush;
    const sims = await new DepartmentSims().start();
    const configDir = writeChaosConfig(join(ctx.runDir, 'config-flush'), {
      webhookUrl: ctx.webhookUrl,
      departments: [
        {
          code: 'CIVIL',
          url: sims.civilUrl,
          delivery: deliveryBlock({
            concurrency: 8,
            timeoutMs: 2_000,
            attempts: 30,
            baseDelayMs: 200,
            maxDelayMs: 2_000,
            failureThreshold: 5,
            cooldownMs: 1_000,
            maxCooldownMs: 4_000,
          }),
        },
      ],
    });
    const fleet = new Fleet(ctx, 'flush', {
      configDir,
      env: { TONGBAN_RECONCILE_INTERVAL_MS: '1000', TONGBAN_RECONCILE_GRACE_MS: '2000' },
    });
    const redis = new IORedis(ctx.services.redisUrl);
    try {
      await fleet.startAll(1);
      const third = Math.floor(o.cases / 3);
      const batch = (n: number) => Array.from({ length: n }, () => validCase(ctx.personal, 'CIVIL', 'flush'));
      const api = () => fleet.api.url;

      await submitAll(api, batch(third), ctx.options.submitConcurrency);
      await waitFor(
        async () => (await fleet.delivered()) === third,
        'the first third to be delivered',
        180_000,
      );
      ctx.progress.line(`redis-flush: ${third} delivered; CIVIL down, ${third} more submitted`);
      sims.civil.setFault({ mode: 'down' });
      await submitAll(api, batch(third), ctx.options.submitConcurrency);
      await waitFor(
        async () => (await fleet.count('deliveries', 'attempts > 0 AND delivered_at IS NULL')) > 0,
        'attempts against the department that is down',
        120_000,
      );

      const openBefore = await fleet.count('deliveries', OPEN);
      // What the earlier scenarios left in Redis, for the personal-data scan at the end.
      await saveRedis(ctx.services.redisUrl, join(ctx.runDir, REDIS_BEFORE_FLUSH));
      await redis.flushall();
      const flushedAt = Date.now();
      ctx.progress.line(
        `redis-flush: FLUSHALL with ${openBefore} deliveries open; ${o.cases - 2 * third} more arrive`,
      );
      await submitAll(api, batch(o.cases - 2 * third), ctx.options.submitConcurrency);

      // Back on the queue: every open delivery in MySQL has a live job in Redis again.
      let lastMissing = -1;
      const restored = await waitUntil(
        async () => {
          const open = await fleet.query<{ id: string; department: string }>(
            `SELECT id, department FROM deliveries WHERE ${OPEN}`,
          );
          lastMissing = await missingJobs(fleet, open);
          return lastMissing === 0;
        },
        (o.restoreLimitSeconds + 30) * 1000,
        250,
      );
      const restoreMs = Date.now() - flushedAt;
      ctx.progress.line(
        `redis-flush: undelivered deliveries back on the queue after ${seconds(restoreMs)} s; CIVIL up`,
      );
      sims.civil.setFault({ mode: 'none' });
      const all = await waitUntil(async () => (await fleet.delivered()) === o.cases, 240_000, 500);

      const statuses = await fleet.statusCounts();
      const civil = sims.civil.stats();
      verdict.figure('cases', o.cases);
      verdict.figure('openAtFlush', openBefore);
      verdict.figure('restoreS', seconds(restoreMs));
      verdict.figure('lost', o.cases - (await fleet.delivered()));
      verdict.figure('duplicatesApplied', civil.duplicatesApplied);
      verdict.figure('deadLettered', statuses.DEAD_LETTERED ?? 0);
      verdict.check(openBefore > 0, 'nothing was open when Redis was flushed');
      verdict.check(
        restored && restoreMs <= o.restoreLimitSeconds * 1000,
        `not back on the queue within ${o.restoreLimitSeconds} s (${lastMissing} still missing)`,
      );
      verdict.check(all, `not all delivered: ${JSON.stringify(statuses)}`);
      verdict.check(
        civil.casesCreated === o.cases && civil.duplicatesApplied === 0,
        `CIVIL holds ${civil.casesCreated} cases for ${o.cases}, ${civil.duplicatesApplied} applied twice`,
      );
      verdict.check((statuses.DEAD_LETTERED ?? 0) === 0, 'dead-lettered deliveries');
    } finally {
      redis.disconnect();
      await fleet.stop();
      await sims.stop();
    }
  },
};
