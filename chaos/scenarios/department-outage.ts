import { join } from 'node:path';
import IORedis from 'ioredis';
import { TcpFaultProxy } from '../../src/testkit/tcp-fault-proxy';
import { validCase } from '../support/case-factory';
import { deliveryBlock, writeChaosConfig } from '../support/chaos-config';
import { DepartmentSims } from '../support/department-sims';
import { Fleet } from '../support/fleet';
import { logLines } from '../support/log-lines';
import { seconds } from '../support/progress';
import { RequestCounter } from '../support/request-counter';
import type { ChaosContext, Scenario, Verdict } from '../support/scenario';
import { submitAll } from '../support/submitter';
import { sleep, waitUntil } from '../support/wait';

type OutageMode = 'refuse' | 'reset' | '503' | 'soap-fault' | 'hang';
const CYCLE: OutageMode[] = ['refuse', 'reset', '503', 'soap-fault', 'hang'];

interface Sample {
  at: number;
  state: string;
  connections: number;
  requests: number;
}

/**
 * HRSS (SOAP) down for a while behind a TCP fault proxy, cycling refused and reset connections,
 * 503s, SOAP faults and hung connections: the circuit opens, the department gets at most about one call per
 * second until it is back, and everything is delivered soon after it recovers.
 */
export const departmentOutage: Scenario = {
  name: 'department-outage',
  title: 'department down (refuse / reset / 503 / SOAP fault / hang): ≤ 1 call/s, all delivered after',
  async run(ctx: ChaosContext, verdict: Verdict): Promise<void> {
    const o = ctx.options.outage;
    const sims = await new DepartmentSims().start();
    const hrss = new URL(sims.hrssEndpoint);
    const counter = new RequestCounter(hrss);
    const counted = new URL(await counter.start());
    const proxy = new TcpFaultProxy('127.0.0.1', Number(counted.port));
    const proxyPort = await proxy.start();
    const timeoutMs = 2_000;
    const configDir = writeChaosConfig(join(ctx.runDir, 'config-outage'), {
      webhookUrl: ctx.webhookUrl,
      departments: [
        {
          code: 'HRSS',
          url: `http://127.0.0.1:${proxyPort}${hrss.pathname}`,
          delivery: deliveryBlock({
            concurrency: 4,
            timeoutMs,
            attempts: 12,
            baseDelayMs: 500,
            maxDelayMs: 5_000,
            failureThreshold: 5,
            cooldownMs: o.cooldownMs,
            maxCooldownMs: o.maxCooldownMs,
          }),
        },
      ],
    });
    const fleet = new Fleet(ctx, 'outage', { configDir });
    const redis = new IORedis(ctx.services.redisUrl);
    const samples: Sample[] = [];
    let sampling = true;
    try {
      await fleet.startAll(1);
      const breakerKey = `${fleet.prefix}:breaker:HRSS`;
      const sampler = (async () => {
        while (sampling) {
          const state = (await redis.hget(breakerKey, 'state').catch(() => null)) ?? 'CLOSED';
          samples.push({
            at: Date.now(),
            state,
            connections: proxy.connections,
            requests: counter.requests.length,
          });
          await sleep(100);
        }
      })();

      // Every mode twice.
      const slices = CYCLE.length * 2;
      const sliceMs = (o.seconds * 1000) / slices;
      const outageStart = Date.now();
      const modeTimes: Array<{ mode: OutageMode; at: number }> = [];
      await setMode(proxy, sims, CYCLE[0]);
      modeTimes.push({ mode: CYCLE[0], at: Date.now() });
      const submitted = submitAll(
        () => fleet.api.url,
        Array.from({ length: o.cases }, () => validCase(ctx.personal, 'HRSS', 'outage')),
        ctx.options.submitConcurrency,
      );
      // Awaited when the outage ends; a failure before then must not go unhandled meanwhile.
      submitted.catch(() => undefined);
      ctx.progress.line(`department-outage: HRSS down for ${o.seconds} s, ${o.cases} cases submitted`);
      for (let i = 1; i < slices; i++) {
        await sleep(outageStart + i * sliceMs - Date.now());
        const mode = CYCLE[i % CYCLE.length];
        await setMode(proxy, sims, mode);
        modeTimes.push({ mode, at: Date.now() });
        const state = samples[samples.length - 1]?.state ?? '?';
        ctx.progress.line(
          `department-outage: ${seconds(Date.now() - outageStart)} s, now ${mode}, circuit ${state}`,
        );
      }
      await sleep(outageStart + o.seconds * 1000 - Date.now());
      await submitted;
      await setMode(proxy, sims, 'up');
      const recoveredAt = Date.now();
      ctx.progress.line('department-outage: HRSS is back');
      const all = await waitUntil(
        async () => (await fleet.delivered()) === o.cases,
        (o.recoveryLimitSeconds + 30) * 1000,
        500,
      );
      const recoveryMs = Date.now() - recoveredAt;
      sampling = false;
      await sampler;

      // Calls the department saw: requests at the counter, or connections at the proxy where no
      // request got through (reset, hang). A refused connection reaches neither, so the gateway's
      // own record (attempts and logged probes) is counted too.
      const firstOpen = samples.find((s) => s.state === 'OPEN' && s.at >= outageStart)?.at ?? recoveredAt;
      let openMs = 0;
      let openCalls = 0;
      let wireOutageCalls = 0;
      for (let i = 1; i < samples.length; i++) {
        const [a, b] = [samples[i - 1], samples[i]];
        if (a.at < firstOpen || b.at > recoveredAt) continue;
        const calls = Math.max(b.connections - a.connections, b.requests - a.requests);
        wireOutageCalls += calls;
        if (a.state !== 'OPEN' || b.state !== 'OPEN') continue;
        openMs += b.at - a.at;
        openCalls += calls;
      }
      const attempts = await fleet.count('delivery_attempts', 'started_at >= ? AND started_at < ?', [
        new Date(firstOpen),
        new Date(recoveredAt),
      ]);
      const probes = logLines(fleet.logFiles, ['probe failed', 'probe succeeded']).filter(
        (l) => l.at >= firstOpen && l.at < recoveredAt,
      ).length;
      const outageSeconds = Math.max(1, (recoveredAt - firstOpen) / 1000);
      const statuses = await fleet.statusCounts();
      const stats = sims.hrss.stats();

      verdict.figure('cases', o.cases);
      verdict.figure('outageS', seconds(recoveredAt - outageStart));
      verdict.figure('openedAfterS', seconds(firstOpen - outageStart));
      verdict.figure('openS', seconds(openMs));
      verdict.figure('callsPerSOpen', openMs > 0 ? openCalls / (openMs / 1000) : 0);
      verdict.figure('wireCallsPerS', wireOutageCalls / outageSeconds);
      verdict.figure('gatewayCallsPerS', (attempts + probes) / outageSeconds);
      verdict.figure('probes', probes);
      verdict.figure('recoveryS', seconds(recoveryMs));
      verdict.figure('lost', o.cases - (await fleet.delivered()));
      verdict.figure('duplicatesApplied', stats.duplicatesApplied);
      verdict.figure('deadLettered', statuses.DEAD_LETTERED ?? 0);

      verdict.check(firstOpen < recoveredAt, 'the circuit never opened');
      const worst = Math.max(wireOutageCalls, attempts + probes) / outageSeconds;
      verdict.check(
        worst <= o.maxProbesPerSecond,
        `${worst.toFixed(2)} calls/s reached the department after the circuit opened`,
      );
      verdict.check(
        all && recoveryMs <= o.recoveryLimitSeconds * 1000,
        `not all delivered within ${o.recoveryLimitSeconds} s of recovery: ${JSON.stringify(statuses)}`,
      );
      verdict.check(stats.duplicatesApplied === 0, 'business duplicates at HRSS');
      verdict.check((statuses.DEAD_LETTERED ?? 0) === 0, 'dead-lettered deliveries');
      ctx.progress.line(
        `department-outage: modes ${modeTimes.map((m) => `${m.mode}@${seconds(m.at - outageStart)}s`).join(' ')}`,
      );
    } finally {
      sampling = false;
      redis.disconnect();
      await fleet.stop();
      await proxy.stop();
      await counter.stop();
      await sims.stop();
    }
  },
};

async function setMode(proxy: TcpFaultProxy, sims: DepartmentSims, mode: OutageMode | 'up'): Promise<void> {
  switch (mode) {
    case 'refuse':
      sims.hrss.clearFault();
      return proxy.setMode('refuse');
    case 'reset':
      sims.hrss.clearFault();
      return proxy.setMode('reset');
    case '503':
      sims.hrss.setFault({ mode: 'down' });
      return proxy.setMode('pass');
    case 'soap-fault':
      sims.hrss.setFault({ mode: 'always-failing' });
      return proxy.setMode('pass');
    case 'hang':
      sims.hrss.clearFault();
      return proxy.setMode('blackhole');
    case 'up':
      sims.hrss.clearFault();
      return proxy.setMode('pass');
  }
}
