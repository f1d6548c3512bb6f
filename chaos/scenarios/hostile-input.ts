import { request } from 'node:http';
import { join } from 'node:path';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import IORedis from 'ioredis';
import { firstValueFrom, timeout } from 'rxjs';
import { redisTransportOptions } from '../../src/runtime/redis-transport';
import { validCase } from '../support/case-factory';
import { writeChaosConfig } from '../support/chaos-config';
import { Fleet } from '../support/fleet';
import type { GatewayProcess } from '../../test/support/gateway-process';
import { hostileInputs, type HostileInput } from '../support/hostile-inputs';
import { PLATFORM_KEY } from '../support/keys';
import type { ChaosContext, Scenario, Verdict } from '../support/scenario';

interface Refusal {
  input: HostileInput;
  status: number;
}

/**
 * A barrage of generated hostile submissions over HTTP and over the Redis microservice transport:
 * every one refused with a 4xx, nothing stored, the process alive and small.
 */
export const hostileInput: Scenario = {
  name: 'hostile-input',
  title: 'generated hostile input over HTTP and the microservice transport: all 4xx, 0 stored, process fine',
  async run(ctx: ChaosContext, verdict: Verdict): Promise<void> {
    const o = ctx.options.hostile;
    // Intake only: HRSS is never called, its address does not matter.
    const configDir = writeChaosConfig(join(ctx.runDir, 'config-hostile-input'), {
      webhookUrl: ctx.webhookUrl,
      departments: [
        { code: 'HRSS', url: 'http://127.0.0.1:9/hrss/UnemploymentService', delivery: '\n  concurrency: 1' },
      ],
    });
    const fleet = new Fleet(ctx, 'hostile-input', { configDir, env: { TONGBAN_MICROSERVICE: 'on' } });
    await fleet.createDatabase();
    const api = await fleet.start('api');
    const rss = rssSampler(api);
    const client = ClientProxyFactory.create({
      transport: Transport.REDIS,
      options: redisTransportOptions(ctx.services.redisUrl),
    });
    try {
      const inputs = hostileInputs(ctx.personal, o.inputs);
      ctx.progress.line(`hostile-input: ${inputs.length} hostile submissions over HTTP`);
      const http = await sendAll(inputs, 8, (input) => sendHttp(api.url, input, ctx.errorBodies));
      const httpBad = http.filter((r) => r.status < 400 || r.status >= 500);

      await client.connect();
      const rpcInputs = inputs.filter((i) => i.rpc).slice(0, o.rpcInputs);
      // Valid cases without a usable key: refused all the same.
      const extra: HostileInput[] = [
        { category: 'rpc', name: 'no apiKey', body: validCase(ctx.personal, 'HRSS', 'hostile'), rpc: true },
        {
          category: 'rpc',
          name: 'wrong apiKey',
          body: validCase(ctx.personal, 'HRSS', 'hostile'),
          rpc: true,
        },
        { category: 'rpc', name: 'no case', body: undefined, rpc: true },
        {
          category: 'rpc',
          name: 'idempotencyKey not a string',
          body: validCase(ctx.personal, 'HRSS', 'hostile'),
          rpc: true,
        },
      ];
      ctx.progress.line(
        `hostile-input: ${rpcInputs.length + extra.length} over the microservice transport (cases.submit)`,
      );
      const rpc = await sendAll([...rpcInputs, ...extra], 8, async (input) => {
        const message: Record<string, unknown> =
          input.category !== 'rpc'
            ? { apiKey: PLATFORM_KEY, case: input.body }
            : ({
                'no apiKey': { case: input.body },
                'wrong apiKey': { apiKey: 'tb-wrong-key', case: input.body },
                'no case': { apiKey: PLATFORM_KEY },
                'idempotencyKey not a string': { apiKey: PLATFORM_KEY, idempotencyKey: 42, case: input.body },
              }[input.name] ?? {});
        try {
          await firstValueFrom(client.send('cases.submit', message).pipe(timeout(15_000)));
          return 200;
        } catch (error) {
          ctx.errorBodies.push(JSON.stringify(error));
          const status = (error as { status?: unknown }).status;
          return typeof status === 'number' ? status : 599;
        }
      });
      const rpcBad = rpc.filter((r) => r.status < 400 || r.status >= 500);

      // Garbage straight onto the transport's channel: nothing answers, nothing may break.
      const publisher = new IORedis(ctx.services.redisUrl);
      const garbage = [
        '{',
        'null',
        '[]',
        '{"pattern":"cases.submit"}',
        '{"pattern":"cases.submit","id":"x","data":"\u0000"}',
        'x'.repeat(1024 * 1024),
      ];
      for (const message of garbage) await publisher.publish('cases.submit', message);
      publisher.disconnect();
      await new Promise((r) => setTimeout(r, 1_000));

      const stored = await fleet.count('cases');
      const alive =
        api.alive &&
        (await fetch(`${api.url}/health/live`).then(
          (r) => r.ok,
          () => false,
        ));
      const peak = rss.stop();
      const byCategory = new Map<string, number>();
      for (const r of [...httpBad, ...rpcBad])
        byCategory.set(r.input.category, (byCategory.get(r.input.category) ?? 0) + 1);

      verdict.figure('httpInputs', http.length);
      verdict.figure('rpcInputs', rpc.length + garbage.length);
      verdict.figure('non4xx', httpBad.length + rpcBad.length);
      verdict.figure('stored', stored);
      verdict.figure('alive', alive);
      verdict.figure('peakRssMb', peak);
      verdict.figure('statuses', histogram(http.map((r) => r.status)));
      verdict.check(
        http.length >= 1_000 || http.length >= o.inputs,
        `only ${http.length} hostile inputs over HTTP`,
      );
      verdict.check(
        httpBad.length + rpcBad.length === 0,
        `not refused with a 4xx: ${[...httpBad, ...rpcBad]
          .slice(0, 8)
          .map((r) => `${r.input.category}/${r.input.name} → ${r.status}`)
          .join(', ')} (${[...byCategory].map(([c, n]) => `${c}: ${n}`).join(', ')})`,
      );
      verdict.check(stored === 0, `${stored} cases stored`);
      verdict.check(alive, `the api process is not alive (${api.exit ?? 'no answer'})`);
      verdict.check(peak < o.rssLimitMb, `RSS peaked at ${peak} MB (limit ${o.rssLimitMb})`);
    } finally {
      rss.stop();
      await client.close();
      await fleet.stop();
    }
  },
};

/** node:http rather than fetch: an answer that comes before the whole upload (a 413) is still read. */
function sendHttp(url: string, input: HostileInput, errorBodies: string[]): Promise<number> {
  const headers: Record<string, string | number> = {};
  const key = input.key === undefined ? PLATFORM_KEY : input.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: Buffer;
  if (input.raw !== undefined) {
    body = Buffer.isBuffer(input.raw) ? input.raw : Buffer.from(input.raw, 'utf8');
    if (input.contentType) headers['content-type'] = input.contentType;
  } else {
    body = Buffer.from(JSON.stringify(input.body), 'utf8');
    headers['content-type'] = 'application/json';
  }
  headers['content-length'] = body.length;
  const target = new URL(url);
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: number): void => {
      if (settled) return;
      settled = true;
      resolve(status);
    };
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: input.method ?? 'POST',
        path: input.path ?? '/api/v1/cases',
        headers,
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          errorBodies.push(
            Buffer.concat(chunks)
              .toString('utf8')
              .slice(0, 64 * 1024),
          );
          done(res.statusCode ?? 0);
        });
        res.on('error', () => done(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    // A refused upload may reset the connection after the answer; without an answer it is a failure.
    req.on('error', () => setTimeout(() => done(599), 200));
    req.end(body);
  });
}

async function sendAll(
  inputs: HostileInput[],
  concurrency: number,
  send: (input: HostileInput) => Promise<number>,
): Promise<Refusal[]> {
  const out: Refusal[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        out.push({ input, status: await send(input) });
      }
    }),
  );
  return out;
}

function histogram(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}:${n}`)
    .join(',');
}

/** Samples the process's resident memory every 100 ms; stop() returns the peak in MB. */
function rssSampler(p: GatewayProcess): { stop(): number } {
  let peak = p.rssMb() ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, p.rssMb() ?? 0)), 100);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
