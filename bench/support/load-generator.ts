import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyRecorder } from './percentiles';

export interface LoadTarget {
  /** Full URLs, one per api process; requests go round-robin. */
  urls: string[];
  headers: Record<string, string>;
  /** A fresh body per request (distinct cases, so idempotency never short-cuts). */
  body: () => string;
}

export interface LoadResult {
  /** Epoch ms of the measured window. */
  windowStart: number;
  windowEnd: number;
  /** 2xx answers that arrived inside the window (closed loop) / of requests due in it (open loop). */
  okInWindow: number;
  okPerSecond: number;
  /** 2xx answers overall, warm-up and tail included: what the server committed. */
  okTotal: number;
  failed: number;
  /** HTTP status (or error code) → count, over the whole run. */
  outcomes: Record<string, number>;
  latency: LatencyRecorder;
  /** Open loop only: requests not sent because too many were already in flight. */
  dropped: number;
}

interface Sender {
  send(): Promise<{ ok: boolean; outcome: string }>;
  close(): void;
}

/** One keep-alive pool per URL; a POST per call, the answer read to the end. */
function sender(target: LoadTarget, sockets: number): Sender {
  const pools = target.urls.map((url) => ({
    url: new URL(url),
    agent: new Agent({ keepAlive: true, maxSockets: sockets }),
  }));
  let next = 0;
  return {
    send: () => {
      const pool = pools[next++ % pools.length];
      const body = Buffer.from(target.body());
      return new Promise((resolve) => {
        const req = request(
          pool.url,
          {
            method: 'POST',
            agent: pool.agent,
            headers: { ...target.headers, 'content-length': body.length },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              const status = res.statusCode ?? 0;
              resolve({ ok: status >= 200 && status < 300, outcome: String(status) });
            });
            res.on('error', (error: NodeJS.ErrnoException) =>
              resolve({ ok: false, outcome: error.code ?? 'ERR' }),
            );
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ ok: false, outcome: error.code ?? 'ERR' }),
        );
        req.end(body);
      });
    },
    close: () => pools.forEach((p) => p.agent.destroy()),
  };
}

function emptyResult(windowStart: number, windowEnd: number): LoadResult {
  return {
    windowStart,
    windowEnd,
    okInWindow: 0,
    okPerSecond: 0,
    okTotal: 0,
    failed: 0,
    outcomes: {},
    latency: new LatencyRecorder(),
    dropped: 0,
  };
}

/**
 * Closed loop: `concurrency` requests always in flight for warm-up + duration. Counts answers that
 * arrive inside the window, so the rate is what the server sustains, not what it buffered.
 */
export async function closedLoop(
  target: LoadTarget,
  options: { concurrency: number; warmupMs: number; durationMs: number },
): Promise<LoadResult> {
  const client = sender(target, options.concurrency);
  const windowStart = Date.now() + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  const result = emptyResult(windowStart, windowEnd);
  const loop = async () => {
    while (Date.now() < windowEnd) {
      const started = performance.now();
      const answer = await client.send();
      const now = Date.now();
      result.outcomes[answer.outcome] = (result.outcomes[answer.outcome] ?? 0) + 1;
      if (!answer.ok) {
        result.failed++;
        await sleep(5); // a refusing server must not turn this into a busy loop
        continue;
      }
      result.okTotal++;
      if (now >= windowStart && now < windowEnd) {
        result.okInWindow++;
        result.latency.record(performance.now() - started);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  client.close();
  result.okPerSecond = result.okInWindow / (options.durationMs / 1000);
  return result;
}

/**
 * Open loop at a fixed offered rate. Latency counts from when a request was due, not when it went
 * out, so a stalled server cannot hide its queueing (no coordinated omission).
 */
export async function openLoop(
  target: LoadTarget,
  options: { rate: number; warmupMs: number; durationMs: number; maxInFlight?: number },
): Promise<LoadResult> {
  const maxInFlight = options.maxInFlight ?? 2_000;
  const client = sender(target, 256);
  const start = performance.now();
  const windowStartMs = options.warmupMs;
  const windowEndMs = options.warmupMs + options.durationMs;
  const result = emptyResult(Date.now() + options.warmupMs, Date.now() + windowEndMs);
  const pending = new Set<Promise<void>>();
  let due = 0;
  while (performance.now() - start < windowEndMs) {
    const elapsed = performance.now() - start;
    for (; due < (elapsed / 1000) * options.rate; due++) {
      const dueAt = (due / options.rate) * 1000;
      const inWindow = dueAt >= windowStartMs && dueAt < windowEndMs;
      if (pending.size >= maxInFlight) {
        result.dropped++;
        continue;
      }
      const call = client.send().then((answer) => {
        result.outcomes[answer.outcome] = (result.outcomes[answer.outcome] ?? 0) + 1;
        if (!answer.ok) {
          result.failed++;
          return;
        }
        result.okTotal++;
        if (!inWindow) return;
        result.okInWindow++;
        result.latency.record(performance.now() - start - dueAt);
      });
      pending.add(call);
      void call.finally(() => pending.delete(call));
    }
    await sleep(2);
  }
  await Promise.race([Promise.all(pending), sleep(30_000)]);
  client.close();
  result.okPerSecond = result.okInWindow / (options.durationMs / 1000);
  return result;
}
