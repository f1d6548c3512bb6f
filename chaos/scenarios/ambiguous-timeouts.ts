import { join } from 'node:path';
import { validCase } from '../support/case-factory';
import { deliveryBlock, writeChaosConfig } from '../support/chaos-config';
import { DepartmentSims } from '../support/department-sims';
import { Fleet } from '../support/fleet';
import type { ChaosContext, Scenario, Verdict } from '../support/scenario';
import { submitAll } from '../support/submitter';
import { ticker } from '../support/ticker';
import { waitUntil } from '../support/wait';

/**
 * The department commits 20 % of the cases and then answers too late (the gateway times out not
 * knowing): the status check and the idempotency key keep every case to one business record.
 */
export const ambiguousTimeouts: Scenario = {
  name: 'ambiguous-timeouts',
  title: 'timeouts with unknown outcome on a share of calls: 0 business duplicates',
  async run(ctx: ChaosContext, verdict: Verdict): Promise<void> {
    const o = ctx.options.ambiguous;
    const timeoutMs = 1_000;
    const sims = await new DepartmentSims().start();
    const configDir = writeChaosConfig(join(ctx.runDir, 'config-ambiguous'), {
      webhookUrl: ctx.webhookUrl,
      departments: [
        {
          code: 'CIVIL',
          url: sims.civilUrl,
          delivery: deliveryBlock({
            concurrency: 8,
            timeoutMs,
            attempts: 20,
            baseDelayMs: 200,
            maxDelayMs: 2_000,
            failureThreshold: 20,
            cooldownMs: 1_000,
            maxCooldownMs: 2_000,
          }),
        },
      ],
    });
    const fleet = new Fleet(ctx, 'ambiguous', { configDir });
    try {
      await fleet.startAll(1);
      // Committed, then answered well after the gateway gave up.
      sims.civil.setFault({ mode: 'ambiguous', failureRatio: o.ratio, delayMs: timeoutMs * 3, seed: 7 });
      ctx.progress.line(
        `ambiguous-timeouts: ${o.cases} cases, ${o.ratio * 100} % of creates held past the timeout`,
      );
      const stopTicker = ticker(10_000, async () =>
        ctx.progress.line(`ambiguous-timeouts: delivered ${await fleet.delivered()}/${o.cases}`),
      );
      await submitAll(
        () => fleet.api.url,
        Array.from({ length: o.cases }, () => validCase(ctx.personal, 'CIVIL', 'ambiguous')),
        ctx.options.submitConcurrency,
      );
      const all = await waitUntil(async () => (await fleet.delivered()) === o.cases, 300_000, 500);
      stopTicker();

      const civil = sims.civil.stats();
      const statuses = await fleet.statusCounts();
      const confirmed = await fleet.count('case_events', "type = 'DELIVERY_CONFIRMED'");
      const timeouts = await fleet.count('delivery_attempts', "outcome = 'transient'");
      verdict.figure('cases', o.cases);
      verdict.figure('heldPastTimeout', civil.faultsInjected);
      verdict.figure('failedAttempts', timeouts);
      verdict.figure('confirmedByStatusCheck', confirmed);
      verdict.figure('resentWithSameKey', civil.duplicateRequests);
      verdict.figure('duplicatesApplied', civil.duplicatesApplied);
      verdict.figure('lost', o.cases - (await fleet.delivered()));
      verdict.figure('deadLettered', statuses.DEAD_LETTERED ?? 0);
      verdict.check(civil.faultsInjected > 0, 'no call was held: the fault did not apply');
      verdict.check(all, `not all delivered: ${JSON.stringify(statuses)}`);
      verdict.check(
        civil.duplicatesApplied === 0 &&
          civil.casesCreated === o.cases &&
          civil.uniqueIdempotencyKeys === o.cases,
        `CIVIL committed ${civil.casesCreated} cases (${civil.uniqueIdempotencyKeys} keys) for ${o.cases}`,
      );
      verdict.check((statuses.DEAD_LETTERED ?? 0) === 0, 'dead-lettered deliveries');
    } finally {
      await fleet.stop();
      await sims.stop();
    }
  },
};
