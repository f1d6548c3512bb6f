import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** A stand-in for the gateway's callback endpoint: records each request, answers `statuses` in turn, then 200. */
async function startReceiver(statuses: number[] = []) {
  const requests: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses.shift() ?? 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/departments/X/callbacks`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const until = async (condition: () => boolean, what: string) => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 5_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const healthCase = (key: string) => ({
  requestId: key,
  applicantName: '张三',
  idType: '01',
  idNumber: '11010519491231002X',
  birthDate: '2026-10-01',
  regionCode: '510104',
  acceptedAt: '2026-10-02T10:00:00+08:00',
  childOrder: 1,
});

/** Creates a case at the HEALTH simulator the way the gateway does, signed. */
async function createHealthCase(url: string, key: string): Promise<string> {
  const body = JSON.stringify(healthCase(key));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const signature = createHmac('sha256', 'demo-secret')
    .update(`${timestamp}\nPOST\n/v1/birth-registrations\n${bodyHash}`)
    .digest('hex');
  const headers = {
    'X-Key-Id': 'tongban',
    'X-Timestamp': timestamp,
    'X-Signature': signature,
    'X-Request-Id': key,
  };
  const res = await call(`${url}/v1/birth-registrations`, { method: 'POST', headers, body });
  expect(res.status).toBe(201);
  return (res.body as { registrationNo: string }).registrationNo;
}

describe('REST simulator status callbacks', () => {
  it('CIVIL posts its status answer on each change, signed over "{X-Timestamp}\\n{body}"', async () => {
    const receiver = await startReceiver();
    const sim = new CivilSimulator({ callback: { url: receiver.url, secret: 's3cret' } });
    const url = await sim.start();
    try {
      const token = await call(`${url}/oauth/token`, {
        method: 'POST',
        body: 'grant_type=client_credentials&client_id=tongban&client_secret=demo-secret',
      });
      const key = 'req-civil-1';
      const created = await call(
        `${url}/api/assistance/applications`,
        json(
          {
            request_id: key,
            applicant_name: '张三',
            id_type: '居民身份证',
            id_number: '11010519491231002X',
            gender: '男',
            birth_date: '1949-12-31',
            region_code: '510104',
            household_size: 1,
            monthly_income_fen: 0,
            family_members: [],
            accepted_at: '2026-10-02T10:00:00+08:00',
            channel: '窗口',
          },
          {
            Authorization: `Bearer ${(token.body as { access_token: string }).access_token}`,
            'Idempotency-Key': key,
          },
        ),
      );
      expect(created.status).toBe(201);
      expect(receiver.requests).toHaveLength(0);

      expect(sim.setStatus(key, '审核中')).toBe(true);
      await until(() => receiver.requests.length === 1, 'the callback');
      const [sent] = receiver.requests;
      const timestamp = String(sent.headers['x-timestamp']);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
      expect(sent.headers['x-signature']).toBe(
        createHmac('sha256', 's3cret').update(`${timestamp}\n${sent.body}`).digest('hex'),
      );
      expect(sent.headers['content-type']).toBe('application/json');
      // The same JSON as its status answer, so the same reverse mapping reads both.
      const answer = await call(`${url}/api/assistance/applications/by-request/${key}`, {
        headers: { Authorization: `Bearer ${(token.body as { access_token: string }).access_token}` },
      });
      expect(JSON.parse(sent.body)).toEqual(answer.body);
      expect(answer.body).toMatchObject({ status: '审核中' });

      // Setting the status it already has is no change: no second callback.
      sim.setStatus(key, '审核中');
      await until(() => sim.stats().callbacks.delivered === 1, 'the answer');
      expect(sim.stats().callbacks.attempts).toBe(1);
    } finally {
      await sim.stop();
      await receiver.stop();
    }
  });

  it('HEALTH signs the body alone (X-Hub-Signature: sha256=base64), switched on by the control call', async () => {
    const receiver = await startReceiver();
    const sim = new HealthSimulator();
    const url = await sim.start();
    try {
      const on = await call(`${url}/__control/callback`, json({ url: receiver.url, secret: 'h-secret' }));
      expect(on).toMatchObject({ status: 200, body: { ok: true, url: receiver.url } });
      const reference = await createHealthCase(url, 'req-health-1');
      const set = await call(
        `${url}/__control/status`,
        json({ key: 'req-health-1', status: 'DONE', remark: '已办结' }),
      );
      expect(set.status).toBe(200);
      await until(() => receiver.requests.length === 1, 'the callback');
      const [sent] = receiver.requests;
      expect(JSON.parse(sent.body)).toMatchObject({
        registrationNo: reference,
        state: 'DONE',
        note: '已办结',
      });
      expect(sent.headers['x-hub-signature']).toBe(
        `sha256=${createHmac('sha256', 'h-secret').update(sent.body).digest('base64')}`,
      );

      expect((await call(`${url}/__control/callback`, json({}))).body).toEqual({ ok: true, url: null });
      sim.setStatus('req-health-1', 'REFUSED');
      expect(sim.stats().callbacks.attempts).toBe(1);
    } finally {
      await sim.stop();
      await receiver.stop();
    }
  });

  it('retries no answer, 5xx and 404, and gives up at once on a refusal such as 401', async () => {
    const receiver = await startReceiver([503, 404, 200, 401]);
    const sim = new HealthSimulator({
      callback: { url: receiver.url, secret: 'x', retryDelaysMs: [20, 20, 20] },
    });
    const url = await sim.start();
    try {
      await createHealthCase(url, 'req-retry-1');
      sim.setStatus('req-retry-1', 'IN_REVIEW');
      await until(() => sim.stats().callbacks.delivered === 1, 'delivery after retries');
      expect(sim.stats().callbacks).toMatchObject({
        attempts: 3,
        delivered: 1,
        failed: 0,
        lastStatuses: [503, 404, 200],
      });

      sim.setStatus('req-retry-1', 'DONE');
      await until(() => sim.stats().callbacks.failed === 1, 'the refusal');
      expect(sim.stats().callbacks).toMatchObject({ attempts: 4, lastStatuses: [503, 404, 200, 401] });

      // Nobody listening: the first try and every retry get no answer, then it gives up.
      await receiver.stop();
      sim.setStatus('req-retry-1', 'REFUSED');
      await until(() => sim.stats().callbacks.failed === 2, 'giving up');
      expect(sim.stats().callbacks).toMatchObject({
        attempts: 8,
        lastStatuses: [503, 404, 200, 401, 0, 0, 0, 0],
      });
    } finally {
      await sim.stop();
    }
  });

  it('calls back when a time-based stage is reached', async () => {
    const receiver = await startReceiver();
    const sim = new HealthSimulator({ statusAdvanceMs: 200, callback: { url: receiver.url, secret: 'x' } });
    const url = await sim.start();
    try {
      await createHealthCase(url, 'req-stages-1');
      await until(() => receiver.requests.length === 2, 'two stage callbacks');
      const states = receiver.requests.map((r) => (JSON.parse(r.body) as { state: string }).state);
      // One callback per stage reached; the second one reports the final stage with its time.
      expect(states[1]).toBe('DONE');
      expect(['IN_REVIEW', 'DONE']).toContain(states[0]);
      expect(JSON.parse(receiver.requests[1].body)).toMatchObject({
        doneAt: expect.stringMatching(/\+08:00$/),
      });
    } finally {
      await sim.stop();
      await receiver.stop();
    }
  });
});
