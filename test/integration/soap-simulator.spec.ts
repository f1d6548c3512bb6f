import * as soap from 'soap';
import { HrssSimulator } from '../../src/simulators/soap/hrss.simulator';
import { hrssMessage } from '../fixtures/soap/soap-test-kit';

const WSDL = `${__dirname}/../../config/wsdl/hrss/UnemploymentService.wsdl`;

describe('HRSS simulator', () => {
  const simulator = new HrssSimulator({ username: 'u1', password: 'p1' });
  let control: string;

  const post = (path: string, body: unknown) =>
    fetch(`${control}${path}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** A plain node-soap client, independent of the adapter under test. */
  const call = async (args: unknown, password = 'p1') => {
    const client = await soap.createClientAsync(WSDL, {}, simulator.endpoint);
    client.setSecurity(new soap.WSSecurity('u1', password, { passwordType: 'PasswordDigest' }));
    const method = client.UnemploymentService.UnemploymentPort
      .SubmitUnemploymentRegistration as soap.SoapMethod;
    return new Promise<{ error?: string; result?: { businessNo?: string } }>((resolve) =>
      method(args, (error: Error | null, result: { businessNo?: string }) =>
        resolve({ error: error?.message, result }),
      ),
    );
  };

  beforeAll(async () => {
    await simulator.start();
    control = simulator.controlUrl;
  });
  afterAll(() => simulator.stop());

  it('switches fault modes over HTTP and reports stats', async () => {
    const set = await post('/fault', { mode: 'flaky', count: 1 });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ fault: { mode: 'flaky', count: 1 } });
    const requestId = 'sim-1';
    expect((await call({ requestId, ...hrssMessage() })).error).toMatch(/^soap:Server\.Busy/);
    const first = await call({ requestId, ...hrssMessage() });
    const second = await call({ requestId, ...hrssMessage() });
    expect(first.result?.businessNo).toBeDefined();
    expect(second.result?.businessNo).toBe(first.result?.businessNo);
    const stats = (await (await fetch(`${control}/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      received: 3,
      uniqueRequestIds: 1,
      duplicates: 1,
      duplicatesApplied: 0,
      flakyRemaining: 0,
    });
    // Personal data is masked in the request log.
    expect(JSON.stringify(stats.lastRequests)).not.toContain('11010519491231002X');
    expect(JSON.stringify(stats.lastRequests)).toContain('1101**********002X');
  });

  it('refuses a wrong password with soap:Client.Authentication', async () => {
    expect((await call({ requestId: 'sim-2', ...hrssMessage() }, 'wrong')).error).toMatch(
      /^soap:Client\.Authentication/,
    );
  });

  it('validates control requests', async () => {
    expect((await post('/fault', { mode: 'melt' })).status).toBe(400);
    expect((await post('/fault', '{not json')).status).toBe(400);
    expect((await post('/fault', { mode: 'slow', delayMs: -1 })).status).toBe(400);
    expect((await fetch(`${control}/nope`)).status).toBe(404);
    expect((await fetch(`${control}/fault`, { method: 'DELETE' })).status).toBe(200);
    expect((await post('/status', { requestId: 'sim-1', status: '02' })).status).toBe(200);
    expect((await post('/status', { requestId: 'unknown', status: '02' })).status).toBe(404);
    expect((await post('/reset', {})).status).toBe(200);
    expect(simulator.stats()).toMatchObject({ received: 0, uniqueRequestIds: 0, fault: { mode: 'none' } });
  });

  it('answers GET ?wsdl with the WSDL and 503 while down', async () => {
    expect(await (await fetch(`${simulator.endpoint}?wsdl`)).text()).toContain('UnemploymentService');
    simulator.setFault({ mode: 'down' });
    const down = await fetch(simulator.endpoint, { method: 'POST', body: '<x/>' });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    simulator.clearFault();
  });
});
