import { Queue } from 'bullmq';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CaseFactory } from '../support/case-factory';
import { forkTs, type BenchChild } from '../support/child-process';
import { closedLoop } from '../support/load-generator';
import { redisOptions } from '../support/redis-options';
import { windowMs, type Scenario } from '../support/scenario';

const IN_FLIGHT = 50;

/**
 * Reference: raw BullMQ add + process. The bench process adds with ~50 adds in flight; a Worker
 * with an empty processor (concurrency 50) runs in its own process. Figure: jobs completed per second.
 */
export function bullmqReference(): Scenario {
  let worker: BenchChild | undefined;
  let queue: Queue | undefined;
  return {
    id: 'reference.bullmq',
    title: 'reference: raw BullMQ add + empty Worker',
    async setup(ctx) {
      const prefix = `bench-${ctx.runId}-raw`;
      worker = forkTs(
        'bullmq worker',
        join(__dirname, '..', 'references', 'bullmq-worker.process.ts'),
        { BENCH_REDIS_URL: ctx.redisUrl, BENCH_PREFIX: prefix, BENCH_CONCURRENCY: String(IN_FLIGHT) },
        join(ctx.logDir, 'reference-bullmq-worker.log'),
      );
      await worker.ready();
      queue = new Queue('bench-raw', { connection: redisOptions(ctx.redisUrl), prefix });
    },
    async run(ctx) {
      const { warmupMs, durationMs } = windowMs(ctx);
      const completed = async () => (await worker!.ask<{ completed: number }>('count')).completed;
      const start = Date.now();
      const windowStart = start + warmupMs;
      const windowEnd = windowStart + durationMs;
      let added = 0;
      let atStart = 0;
      const sample = (async () => {
        await sleep(warmupMs);
        atStart = await completed();
      })();
      const producer = async () => {
        while (Date.now() < windowEnd) {
          await queue!.add('job', { n: added }, { removeOnComplete: true, removeOnFail: true });
          added++;
        }
      };
      await Promise.all([sample, ...Array.from({ length: IN_FLIGHT }, producer)]);
      const atEnd = await completed();
      const elapsed = (Date.now() - windowStart) / 1000;
      // Let the worker finish what is queued, so the next run starts empty.
      for (let i = 0; i < 100 && (await completed()) < added; i++) await sleep(100);
      return [
        {
          id: 'reference.bullmq',
          label: 'raw BullMQ add + process (50 in flight)',
          unit: 'jobs/s',
          higherIsBetter: true,
          value: (atEnd - atStart) / elapsed,
          detail: { addedPerSecond: added / ((windowEnd - start) / 1000) },
        },
      ];
    },
    async teardown() {
      await queue?.obliterate({ force: true }).catch(() => undefined);
      await queue?.close();
      await worker?.stop();
    },
  };
}

/** Reference: a bare node:http JSON intake (parse, answer 202) in its own process. */
export function bareHttpReference(): Scenario {
  let server: BenchChild | undefined;
  let url = '';
  return {
    id: 'reference.http',
    title: 'reference: bare node:http JSON intake',
    async setup(ctx) {
      server = forkTs(
        'bare http',
        join(__dirname, '..', 'references', 'bare-http.process.ts'),
        {},
        join(ctx.logDir, 'reference-bare-http.log'),
      );
      url = (await server.ready<{ url: string }>()).url;
    },
    async run(ctx) {
      const cases = new CaseFactory(`REF-${ctx.runId}`);
      const result = await closedLoop(
        { urls: [url], headers: { 'content-type': 'application/json' }, body: () => cases.body() },
        { concurrency: ctx.options.concurrency, ...windowMs(ctx) },
      );
      return [
        {
          id: 'reference.http',
          label: 'bare node:http JSON intake',
          unit: 'req/s',
          higherIsBetter: true,
          value: result.okPerSecond,
          detail: { latencyMs: result.latency.summary(), outcomes: result.outcomes },
        },
      ];
    },
    async teardown() {
      await server?.stop();
    },
  };
}
