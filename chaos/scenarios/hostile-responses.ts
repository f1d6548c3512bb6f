import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultMode } from '../../src/simulators/soap/hrss-fault-modes';
import { validCase } from '../support/case-factory';
import { deliveryBlock, writeChaosConfig } from '../support/chaos-config';
import { DepartmentSims } from '../support/department-sims';
import { Fleet } from '../support/fleet';
import { PLATFORM_KEY } from '../support/keys';
import { eventLoopLag } from '../support/metrics';
import type { ChaosContext, Scenario, Verdict } from '../support/scenario';
import { sleep, waitFor, waitUntil } from '../support/wait';

interface Expectation {
  mode: FaultMode;
  errorClass: string;
  reason?: RegExp;
  httpStatus?: number;
}

const EXPECTED: Expectation[] = [
  { mode: 'xxe', errorClass: 'BAD_RESPONSE', reason: /DOCTYPE/ },
  { mode: 'entity-bomb', errorClass: 'BAD_RESPONSE' },
  { mode: 'huge', errorClass: 'BAD_RESPONSE', reason: /too large/ },
  { mode: 'deep', errorClass: 'BAD_RESPONSE', reason: /nesting/ },
  { mode: 'html-502', errorClass: 'HTTP_STATUS', httpStatus: 502 },
  { mode: 'garbage', errorClass: 'BAD_RESPONSE' },
];

interface AttemptRow {
  delivery_id: string;
  outcome: string;
  error_class: string | null;
  http_status: number | null;
  reason: string | null;
  excerpt: string | null;
}

/**
 * HRSS answers with what a broken legacy system or an attacker on the line might send: an XXE, an
 * entity bomb, 20 MB, 20,000-deep nesting, an HTML 502 page, garbage. Through real gateway
 * processes: nothing expanded or leaked, the size cap holds, each is classified right, the event
 * loop stays responsive, and everything is delivered once HRSS answers properly again.
 */
export const hostileResponses: Scenario = {
  name: 'hostile-responses',
  title: 'hostile SOAP responses: nothing expanded, size cap holds, right classification, event loop fine',
  async run(ctx: ChaosContext, verdict: Verdict): Promise<void> {
    const o = ctx.options.hostile;
    const secret = `CHAOS-XXE-SECRET-${process.pid}-${Date.now()}`;
    const secretFile = join(ctx.runDir, 'xxe-secret.txt');
    writeFileSync(secretFile, secret);
    const sims = await new DepartmentSims({ xxeFile: secretFile }).start();
    const configDir = writeChaosConfig(join(ctx.runDir, 'config-hostile-responses'), {
      webhookUrl: ctx.webhookUrl,
      departments: [
        {
          code: 'HRSS',
          url: sims.hrssEndpoint,
          delivery: deliveryBlock({
            concurrency: 4,
            timeoutMs: 5_000,
            attempts: 50,
            baseDelayMs: 1_000,
            maxDelayMs: 3_000,
            // Keep the circuit closed: this scenario is about each answer, not the outage.
            failureThreshold: 1_000,
            cooldownMs: 1_000,
            maxCooldownMs: 2_000,
          }),
        },
      ],
    });
    const fleet = new Fleet(ctx, 'hostile-responses', { configDir });
    try {
      await fleet.startAll(1);
      const worker = fleet.workers[0];
      await eventLoopLag(worker.url);
      await sleep(5_000);
      const baseline = await eventLoopLag(worker.url);
      verdict.figure('baselineLagMaxMs', baseline.maxMs);

      let peakRss = worker.rssMb() ?? 0;
      const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, worker.rssMb() ?? 0)), 100);
      let worstLag = 0;
      let worstP99 = 0;
      const allDeliveries: string[] = [];
      // One round of a mode: fresh cases, their first attempts, the event-loop lag meanwhile.
      const expose = async (mode: FaultMode) => {
        sims.hrss.setFault({ mode });
        await eventLoopLag(worker.url);
        const ids = await submit(fleet, ctx, o.casesPerMode);
        allDeliveries.push(...ids);
        await waitFor(
          async () => (await firstAttempts(fleet, ids)).length === ids.length,
          `a first attempt of every ${mode} delivery`,
          120_000,
          250,
        );
        return { lag: await eventLoopLag(worker.url), rows: await firstAttempts(fleet, ids) };
      };
      try {
        for (const expected of EXPECTED) {
          let { lag, rows } = await expose(expected.mode);
          if (lag.maxMs >= o.lagLimitMs) {
            // A busy machine can stall any process once (GC, scheduling); a handler that blocks
            // does it every time, so one more round decides.
            ctx.progress.line(`hostile-responses: ${expected.mode} lag ${lag.maxMs} ms, measuring once more`);
            const again = await expose(expected.mode);
            rows = [...rows, ...again.rows];
            if (again.lag.maxMs < lag.maxMs) lag = again.lag;
            verdict.figure(`${expected.mode}Remeasured`, true);
          }
          worstLag = Math.max(worstLag, lag.maxMs);
          worstP99 = Math.max(worstP99, lag.p99Ms);
          const wrong = rows.filter(
            (r) =>
              r.outcome !== 'transient' ||
              r.error_class !== expected.errorClass ||
              (expected.reason && !expected.reason.test(r.reason ?? '')) ||
              (expected.httpStatus !== undefined && Number(r.http_status) !== expected.httpStatus),
          );
          const first = rows[0];
          verdict.figure(
            expected.mode,
            `${first?.error_class ?? '?'}${first?.http_status ? `/${first.http_status}` : ''}`,
          );
          verdict.check(
            wrong.length === 0,
            `${expected.mode} classified as ${wrong
              .map(
                (r) =>
                  `${r.outcome}/${r.error_class}/${r.http_status ?? ''} "${(r.reason ?? '').slice(0, 80)}"`,
              )
              .join(', ')}`,
          );
          ctx.progress.line(
            `hostile-responses: ${expected.mode} → ${first?.error_class ?? '?'}; lag max ${lag.maxMs} ms, worker RSS ${worker.rssMb() ?? '?'} MB`,
          );
        }
      } finally {
        clearInterval(rssTimer);
      }

      sims.hrss.clearFault();
      const all = await waitUntil(
        async () => (await fleet.delivered()) === allDeliveries.length,
        180_000,
        500,
      );

      // Nothing expanded or read from disk, anywhere the gateway writes.
      const attempts = await fleet.query<AttemptRow>(
        'SELECT delivery_id, outcome, error_class, http_status, reason, excerpt FROM delivery_attempts',
      );
      const events = await fleet.query<{ detail: string | null }>('SELECT detail FROM case_events');
      const written = [
        ...fleet.logFiles.map((f) => readFileSync(f, 'utf8')),
        JSON.stringify(attempts),
        JSON.stringify(events),
        JSON.stringify(await fleet.query('SELECT last_error FROM deliveries')),
      ].join('\n');
      const leakedSecret = written.includes(secret);
      const expanded = written.includes('lollollol');
      const excerptMax = Math.max(0, ...attempts.map((a) => Buffer.byteLength(a.excerpt ?? '')));
      const stats = sims.hrss.stats();

      verdict.figure('lagMaxMs', worstLag);
      verdict.figure('lagP99Ms', worstP99);
      verdict.figure('peakRssMb', peakRss);
      verdict.figure('secretLeaked', leakedSecret);
      verdict.figure('entityExpanded', expanded);
      verdict.figure('excerptMaxBytes', excerptMax);
      verdict.figure('workerAlive', worker.alive);
      verdict.figure('lost', allDeliveries.length - (await fleet.delivered()));
      verdict.figure('duplicatesApplied', stats.duplicatesApplied);
      verdict.check(!leakedSecret, 'the XXE target file content appears in logs or the database');
      verdict.check(!expanded, 'an entity was expanded');
      verdict.check(peakRss < o.rssLimitMb, `worker RSS peaked at ${peakRss} MB (limit ${o.rssLimitMb})`);
      verdict.check(
        worstLag < o.lagLimitMs,
        `event-loop lag reached ${worstLag} ms (limit ${o.lagLimitMs}; ${baseline.maxMs} ms at rest)`,
      );
      verdict.check(worker.alive, `the worker died (${worker.exit ?? '?'})`);
      verdict.check(
        all && stats.duplicatesApplied === 0,
        `not all delivered once afterwards (${stats.duplicatesApplied} applied twice)`,
      );
    } finally {
      await fleet.stop();
      await sims.stop();
    }
  },
};

/** Submits HRSS cases; returns their delivery ids. */
async function submit(fleet: Fleet, ctx: ChaosContext, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${fleet.api.url}/api/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PLATFORM_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(validCase(ctx.personal, 'HRSS', 'hostile-response')),
    });
    const body = (await res.json()) as { deliveries?: Array<{ id: string }> };
    if (res.status !== 202 || !body.deliveries?.[0]) throw new Error(`submission answered ${res.status}`);
    ids.push(body.deliveries[0].id);
  }
  return ids;
}

async function firstAttempts(fleet: Fleet, ids: string[]): Promise<AttemptRow[]> {
  return fleet.query<AttemptRow>(
    `SELECT delivery_id, outcome, error_class, http_status, reason, excerpt FROM delivery_attempts
      WHERE attempt = 1 AND delivery_id IN (${ids.map(() => '?').join(',')})`,
    ids,
  );
}
