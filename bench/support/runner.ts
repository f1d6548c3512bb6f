import { CpuSteal, stealNote } from './cpu-steal';
import { formatNumber } from './progress';
import type { MetricBook } from './report';
import type { BenchContext, Metric, Scenario } from './scenario';

export interface ScenarioOutcome {
  id: string;
  title: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  seconds: number;
  /** CPU steal (hypervisor) during each timed run, as a fraction: high steal depresses that run. */
  steal?: number[];
}

/** Bare node:http always runs (a few seconds): rate targets and the latency rate are scaled by it. */
const ALWAYS = 'reference.http';

const selected = (ctx: BenchContext, scenario: Scenario) =>
  ctx.options.only.length === 0 ||
  scenario.id === ALWAYS ||
  ctx.options.only.some((part) => scenario.id.includes(part));

const describe = (metrics: Metric[]) =>
  metrics
    .filter((m) => !m.id.startsWith('mapping.') || m.id === 'mapping.worst')
    .map((m) => `${m.id} ${formatNumber(m.value)} ${m.unit}`)
    .join(', ');

/**
 * Sets up each group's scenarios, interleaves their runs (alternating the order), tears down.
 * A failing scenario is reported and the bench goes on with the next one.
 */
export async function runGroups(
  ctx: BenchContext,
  groups: Scenario[][],
  book: MetricBook,
): Promise<ScenarioOutcome[]> {
  const outcomes: ScenarioOutcome[] = [];
  for (const group of groups) {
    const active: Array<{ scenario: Scenario; outcome: ScenarioOutcome; started: number }> = [];
    for (const scenario of group.filter((s) => selected(ctx, s))) {
      const outcome: ScenarioOutcome = { id: scenario.id, title: scenario.title, status: 'ok', seconds: 0 };
      outcomes.push(outcome);
      const started = Date.now();
      ctx.progress.line(`${scenario.title}: setting up`);
      try {
        const skip = await scenario.setup?.(ctx);
        if (typeof skip === 'string') {
          Object.assign(outcome, { status: 'skipped', reason: skip, seconds: (Date.now() - started) / 1000 });
          ctx.progress.line(`  SKIPPED: ${skip}`);
          await scenario.teardown?.(ctx).catch(() => undefined);
          continue;
        }
        active.push({ scenario, outcome, started });
      } catch (error) {
        fail(ctx, outcome, error, started);
        await scenario.teardown?.(ctx).catch(() => undefined);
      }
    }
    for (let run = 0; run < ctx.options.runs; run++) {
      const order = run % 2 === 0 ? active : [...active].reverse();
      for (const entry of order) {
        if (entry.outcome.status !== 'ok') continue;
        ctx.progress.line(`${entry.scenario.title}: run ${run + 1}/${ctx.options.runs}`);
        try {
          const steal = new CpuSteal();
          const metrics = await entry.scenario.run(ctx, run);
          const stolen = steal.fraction();
          if (stolen !== undefined) (entry.outcome.steal ??= []).push(Math.round(stolen * 1000) / 1000);
          book.add(metrics);
          ctx.progress.line(`  ${describe(metrics)}${stealNote(stolen)}`);
        } catch (error) {
          fail(ctx, entry.outcome, error, entry.started);
        }
      }
    }
    for (const entry of active) {
      await entry.scenario.teardown?.(ctx).catch((error: unknown) => {
        ctx.progress.line(`  teardown of ${entry.scenario.id} failed: ${(error as Error).message}`);
      });
      entry.outcome.seconds = (Date.now() - entry.started) / 1000;
    }
  }
  return outcomes;
}

function fail(ctx: BenchContext, outcome: ScenarioOutcome, error: unknown, started: number): void {
  const reason = (error as Error).message ?? String(error);
  Object.assign(outcome, { status: 'failed', reason, seconds: (Date.now() - started) / 1000 });
  ctx.progress.line(`  FAILED: ${reason}`);
}
