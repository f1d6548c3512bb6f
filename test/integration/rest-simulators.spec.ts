import { createHash, createHmac } from 'node:crypto';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { HealthSimulator } from '../../src/simulators/rest/health.simulator';
import { FaultInjector } from '../../src/simulators/shared/fault-mode';

/** Plain fetch, as any client of the documented interface would call it. */
async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; type: string }> {
  const res = await fetch(url, init);
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, body: type.includes('json') ? (JSON.parse(text) as unknown) : text, type };
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('CivilSimulator', () => {
  const sim = new CivilSimulator();
  let url: string;
  beforeAll(async () => {
    url = await sim.start();
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  const token = async () => {
    const res = await call(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=tongban&client_secret=demo-secret',
    });
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    return (res.body as { access_token: string }).access_token;
  };

  it('issues tokens for form credentials and refuses wrong ones', async () => {
    await token();
    const wrong = await call(`${url}/oauth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('tongban:nope').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('requires a token and an Idempotency-Key', async () => {
    expect((await call(`${url}/api/assistance/applications`, json({}))).status).toBe(401);
    const res = await call(
      `${url}/api/assistance/applications`,
      json({}, { Authorization: `Bearer ${await token()}` }),
    );
    expect(res).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', message: 'Idempotency-Key is required' },
    });
  });

  it('switches faults and reports stats over the control endpoints', async () => {
    const set = await call(`${url}/__control/fault`, json({ mode: 'down' }));
    expect(set).toMatchObject({ status: 200, body: { mode: 'down' } });
    expect((await call(`${url}/health`)).status).toBe(503);
    expect((await call(`${url}/__control/fault`, json({ mode: 'sideways' }))).status).toBe(400);
    await call(`${url}/__control/fault`, json({ mode: 'none' }));
    expect((await call(`${url}/health`)).body).toEqual({ status: 'UP' });
    const stats = await call(`${url}/__control/stats`);
    expect(stats.body).toMatchObject({ received: 2, faultsInjected: 1, duplicatesApplied: 0 });
  });

  it('slow: delays the create by delayMs', async () => {
    sim.setFault({ mode: 'slow', delayMs: 300 });
    const started = Date.now();
    await call(`${url}/api/assistance/applications`, json({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('HealthSimulator', () => {
  const sim = new HealthSimulator();
  let url: string;
  beforeAll(async () => {
    url = await sim.start();
  });
  afterAll(() => sim.stop());

  it('accepts a correctly signed request and refuses a missing signature', async () => {
    const body = JSON.stringify({ requestId: 'r-1' });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const bodyHash = createHash('sha256').update(body).digest('hex');
    const signature = createHmac('sha256', 'demo-secret')
      .update(`${timestamp}\nPOST\n/v1/birth-registrations\n${bodyHash}`)
      .digest('hex');
    const headers = {
      'X-Key-Id': 'tongban',
      'X-Timestamp': timestamp,
      'X-Signature': signature,
      'X-Request-Id': 'r-1',
    };
    const signed = await call(`${url}/v1/birth-registrations`, { method: 'POST', headers, body });
    // Signature fine, data incomplete: the 422 proves the request got past the HMAC check.
    expect(signed).toMatchObject({
      status: 422,
      body: { message: 'applicantName: required, at most 50 characters' },
    });
    const unsigned = await call(`${url}/v1/birth-registrations`, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
  });

  it('html-502 answers a proxy page', async () => {
    sim.setFault({ mode: 'html-502', scope: 'all' });
    const res = await call(`${url}/health`);
    expect(res.status).toBe(502);
    expect(res.type).toBe('text/html');
    sim.setFault({ mode: 'none' });
  });
});

describe('FaultInjector', () => {
  it('flaky with a ratio is reproducible for a seed', () => {
    const run = () => {
      const faults = new FaultInjector();
      faults.set({ mode: 'flaky', failureRatio: 0.5, seed: 42 });
      return Array.from({ length: 20 }, () => faults.decide(true).kind).join(',');
    };
    expect(run()).toBe(run());
    expect(run()).toContain('fail');
    expect(run()).toContain('pass');
  });

  it('flaky defaults to three failures, then passes; scope create spares other calls', () => {
    const faults = new FaultInjector();
    faults.set({ mode: 'flaky' });
    expect(faults.decide(false).kind).toBe('pass');
    expect([1, 2, 3, 4].map(() => faults.decide(true).kind)).toEqual(['fail', 'fail', 'fail', 'pass']);
  });
});
