import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import IORedis from 'ioredis';
import { firstValueFrom } from 'rxjs';
import { redisTransportOptions } from '../../src/runtime/redis-transport';
import { sampleCase } from '../support/sample-case';
import { PLATFORM_KEY, READER_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';

/**
 * The same submission over @nestjs/microservices (Redis transport). This is the only suite that
 * turns the transport on: Redis pub/sub channels are shared by every gateway on the server.
 */
describe('case intake over the microservice transport', () => {
  let gw: TestGateway;
  let client: ClientProxy;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { TONGBAN_MICROSERVICE: 'on', TONGBAN_ROLE: 'api' } });
    client = ClientProxyFactory.create({
      transport: Transport.REDIS,
      options: redisTransportOptions(gw.runtime.redisUrl),
    });
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
    await gw.close();
  });

  const send = async (message: unknown) => {
    try {
      return { ok: true as const, value: await firstValueFrom(client.send('cases.submit', message)) };
    } catch (error) {
      return { ok: false as const, error: error as Record<string, unknown> };
    }
  };

  it('accepts a case, then answers the repeat with the same case', async () => {
    const body = sampleCase();
    const first = await send({ apiKey: PLATFORM_KEY, case: body });
    expect(first).toMatchObject({
      ok: true,
      value: { status: 202, case: { externalId: body.externalId, status: 'SUBMITTED' } },
    });
    const again = await send({ apiKey: PLATFORM_KEY, case: body });
    expect(again).toMatchObject({ ok: true, value: { status: 200 } });
    expect(again.ok && again.value.case.id).toBe(first.ok && first.value.case.id);
    const [{ n }] = await gw.db.query('SELECT COUNT(*) AS n FROM cases WHERE external_id = ?', [
      body.externalId,
    ]);
    expect(Number(n)).toBe(1);
  });

  it('inherits the global guard: no key → 401, a read-only key → 403, and nothing is stored', async () => {
    const body = sampleCase();
    expect(await send({ case: body })).toMatchObject({ ok: false, error: { status: 401 } });
    expect(await send({ apiKey: 'wrong', case: body })).toMatchObject({ ok: false, error: { status: 401 } });
    expect(await send({ apiKey: READER_KEY, case: body })).toMatchObject({
      ok: false,
      error: { status: 403 },
    });
    const [{ n }] = await gw.db.query('SELECT COUNT(*) AS n FROM cases WHERE external_id = ?', [
      body.externalId,
    ]);
    expect(Number(n)).toBe(0);
  });

  it('validates exactly like HTTP: the same problem with field pointers', async () => {
    const body = sampleCase({
      applicant: { name: '张三', idType: 'RESIDENT_ID', idNumber: '110105194912310021' },
    });
    const result = await send({ apiKey: PLATFORM_KEY, case: body });
    expect(result).toMatchObject({
      ok: false,
      error: {
        status: 400,
        type: 'urn:tongban:problem:invalid-input',
        errors: [{ pointer: '/applicant/idNumber' }],
      },
    });
    const proto = await send(
      JSON.parse(`{"apiKey":"${PLATFORM_KEY}","case":{"__proto__":{"x":1},"externalId":"p"}}`),
    );
    expect(proto).toMatchObject({ ok: false, error: { status: 400 } });
    const conflict = await send({ apiKey: PLATFORM_KEY, idempotencyKey: 'same', case: sampleCase() });
    expect(conflict.ok).toBe(true);
    expect(await send({ apiKey: PLATFORM_KEY, idempotencyKey: 'same', case: sampleCase() })).toMatchObject({
      ok: false,
      error: { status: 409 },
    });
  });

  it('emits case.status_changed for a new case', async () => {
    const subscriber = new IORedis(gw.runtime.redisUrl);
    const received: unknown[] = [];
    await subscriber.subscribe('case.status_changed');
    subscriber.on('message', (_channel, message: string) => received.push(JSON.parse(message)));
    const body = sampleCase();
    await send({ apiKey: PLATFORM_KEY, case: body });
    await waitFor(() => received.length > 0);
    expect(received[0]).toMatchObject({
      pattern: 'case.status_changed',
      data: {
        externalId: body.externalId,
        status: 'SUBMITTED',
        previousStatus: null,
        source: 'demo-platform',
      },
    });
    expect(JSON.stringify(received)).not.toContain('11010519491231002X');
    subscriber.disconnect();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
