import { join } from 'node:path';
import { validCase } from '../support/case-factory';
import { deliveryBlock, writeChaosConfig, type DepartmentSpec } from '../support/chaos-config';
import { DepartmentSims } from '../support/department-sims';
import { Fleet } from '../support/fleet';
import { seconds } from '../support/progress';
import type { ChaosContext, Scenario, Verdict } from '../support/scenario';
import { submitAll } from '../support/submitter';
import { ticker } from '../support/ticker';
import { sleep, waitUntil } from '../support/wait';

/** How long the workers see the department closed at least (the rest of the "night"). */
const CLOSED_MS = 15_000;

/**
 * Overnight compressed: intake keeps accepting while the department's maintenance window is on;
 * the workers wait without spending attempts, and in the morning the backlog drains at the
 * department's rate limit with nothing dead-lettered.
 */
export const overnightBacklog: Scenario = {
  name: 'overnight-backlog',
  title:
    'maintenance window with a backlog: 0 attempts while closed, 0 dead letters, drains at the rate limit',
  async run(ctx: ChaosContext, verdict: Verdict): Promise<void> {
    const o = ctx.options.backlog;
    const sims = await new DepartmentSims().start();
    const civil = (calendar?: string): DepartmentSpec => ({
      code: 'CIVIL',
      url: sims.civilUrl,
      timeZone: 'UTC',
      calendar,
      delivery: deliveryBlock({
        concurrency: 16,
        timeoutMs: 5_000,
        attempts: 12,
        baseDelayMs: 1_000,
        maxDelayMs: 10_000,
        failureThreshold: 20,
        cooldownMs: 2_000,
        maxCooldownMs: 10_000,
        rate: { max: o.ratePerSecond, durationMs: 1_000 },
      }),
    });
    // The evening: only the api runs, accepting the backlog.
    const eveningConfig = writeChaosConfig(join(ctx.runDir, 'config-backlog-evening'), {
      webhookUrl: ctx.webhookUrl,
      departments: [civil()],
    });
    const fleet = new Fleet(ctx, 'backlog', { configDir: eveningConfig });
    try {
      await fleet.createDatabase();
      const apiStart = Date.now();
      await fleet.start('api');
      const apiStartMs = Date.now() - apiStart;
      ctx.progress.line(`overnight-backlog: submitting a backlog of ${o.cases} cases`);
      const stopTicker = ticker(15_000, async () =>
        ctx.progress.line(`overnight-backlog: ${await fleet.count('cases')} cases accepted`),
      );
      const submitStart = Date.now();
      await submitAll(
        () => fleet.api.url,
        Array.from({ length: o.cases }, () => validCase(ctx.personal, 'CIVIL', 'backlog')),
        ctx.options.submitConcurrency,
      );
      stopTicker();
      verdict.figure('intakePerS', o.cases / ((Date.now() - submitStart) / 1000));

      // The rest of the night: a maintenance window that ends after the workers (starting now,
      // about as slowly as the api did) have watched it for CLOSED_MS.
      const now = new Date();
      const windowStart = new Date(now);
      windowStart.setUTCSeconds(0, 0);
      const windowEnd = now.getTime() + CLOSED_MS + 2 * apiStartMs;
      const durationMinutes = (windowEnd - windowStart.getTime()) / 60_000;
      const calendar = `\n  maintenanceWindows: [{ cron: '${windowStart.getUTCMinutes()} ${windowStart.getUTCHours()} * * *', durationMinutes: ${durationMinutes.toFixed(4)} }]`;
      const nightConfig = writeChaosConfig(join(ctx.runDir, 'config-backlog-night'), {
        webhookUrl: ctx.webhookUrl,
        departments: [civil(calendar)],
      });
      await Promise.all(
        Array.from({ length: o.workers }, () => fleet.start('worker', { TONGBAN_CONFIG_DIR: nightConfig })),
      );
      const workersReady = Date.now();
      ctx.progress.line(
        `overnight-backlog: workers up, window closed for ${seconds(windowEnd - workersReady)} s more`,
      );
      await sleep(windowEnd - Date.now() - 500);
      const attemptsWhileClosed = await fleet.count('delivery_attempts');
      const receivedWhileClosed = sims.civil.stats().received;

      const stopDrainTicker = ticker(15_000, async () =>
        ctx.progress.line(`overnight-backlog: delivered ${await fleet.delivered()}/${o.cases}`),
      );
      const expectedDrainMs = (o.cases / o.ratePerSecond) * 1000;
      const all = await waitUntil(
        async () => (await fleet.delivered()) === o.cases,
        Math.max(120_000, expectedDrainMs * 3),
        500,
      );
      stopDrainTicker();

      const stamps = (
        await fleet.query<{ delivered_at: Date }>(
          'SELECT delivered_at FROM deliveries WHERE delivered_at IS NOT NULL ORDER BY delivered_at',
        )
      ).map((r) => new Date(r.delivered_at).getTime());
      const spanMs = stamps.length > 1 ? stamps[stamps.length - 1] - stamps[0] : 0;
      const rate = spanMs > 0 ? (stamps.length - 1) / (spanMs / 1000) : 0;
      let busiest = 0;
      for (let i = 0, j = 0; i < stamps.length; i++) {
        while (stamps[i] - stamps[j] >= 1_000) j++;
        busiest = Math.max(busiest, i - j + 1);
      }
      const statuses = await fleet.statusCounts();
      const stats = sims.civil.stats();
      verdict.figure('cases', o.cases);
      verdict.figure('closedWatchedS', seconds(windowEnd - workersReady));
      verdict.figure('attemptsWhileClosed', attemptsWhileClosed + receivedWhileClosed);
      verdict.figure('firstDeliveryAfterOpenS', stamps.length > 0 ? seconds(stamps[0] - windowEnd) : -1);
      verdict.figure('drainPerS', rate);
      verdict.figure('limitPerS', o.ratePerSecond);
      verdict.figure('busiest1s', busiest);
      verdict.figure('lost', o.cases - stamps.length);
      verdict.figure('duplicatesApplied', stats.duplicatesApplied);
      verdict.figure('deadLettered', statuses.DEAD_LETTERED ?? 0);

      verdict.check(windowEnd > workersReady, 'the workers started after the window ended: nothing was held');
      verdict.check(
        attemptsWhileClosed === 0 && receivedWhileClosed === 0,
        'attempts while the department was closed',
      );
      verdict.check(all, `not all delivered: ${JSON.stringify(statuses)}`);
      verdict.check((statuses.DEAD_LETTERED ?? 0) === 0, 'dead-lettered deliveries');
      verdict.check(
        stats.duplicatesApplied === 0 && stats.casesCreated === o.cases,
        `CIVIL holds ${stats.casesCreated} for ${o.cases}`,
      );
      // The limiter holds (one window may straddle two limiter periods), and the drain uses it.
      verdict.check(
        busiest <= o.ratePerSecond * 2 && rate <= o.ratePerSecond * 1.1,
        `drained faster than the limit (${rate.toFixed(1)}/s, ${busiest} in one second)`,
      );
      verdict.check(
        rate >= o.ratePerSecond * 0.5,
        `drained at ${rate.toFixed(1)}/s, under half the limit of ${o.ratePerSecond}/s`,
      );
    } finally {
      await fleet.stop();
      await sims.stop();
    }
  },
};
