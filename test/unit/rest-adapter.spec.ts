import { plainToInstance } from 'class-transformer';
import iconv from 'iconv-lite';
import nock from 'nock';
import { gzipSync } from 'node:zlib';
import { createEgressGuard } from '../../src/adapters/network/egress-guard';
import { parseRestAdapterOptions } from '../../src/adapters/rest/rest-adapter.options';
import { RestAdapter } from '../../src/adapters/rest/rest-department-adapter';
import type { DeliveryOutcome } from '../../src/adapters/sdk/delivery-outcome';
import type { DeliveryRequest } from '../../src/adapters/sdk/department-adapter';
import { DepartmentConfig } from '../../src/config/model/department-config';

const CIVIL = 'http://civil.test';
const HEALTH = 'http://health.test';
const DELIVERY_ID = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
const NOW = 1_700_000_000_000;

const civilOptions = {
  baseUrl: CIVIL,
  path: '/api/assistance/applications',
  idempotencyHeader: 'Idempotency-Key',
  statusPath: '/api/assistance/applications/by-request/{deliveryId}',
  auth: {
    type: 'oauth2',
    tokenUrl: `${CIVIL}/oauth/token`,
    clientId: 'tongban',
    clientSecret: 'demo-secret',
  },
  receipt: { reference: 'application_no', status: 'status', remark: 'remark', finishedAt: 'finished_at' },
};
const healthOptions = {
  baseUrl: HEALTH,
  path: '/v1/birth-registrations',
  idempotencyHeader: 'X-Request-Id',
  auth: { type: 'hmac', keyId: 'tongban', secret: 'demo-secret' },
  receipt: { reference: 'registrationNo', status: 'state' },
};

interface Clock {
  now: number;
}

function makeAdapter(options: object, clock: Clock = { now: NOW }): RestAdapter {
  const department = plainToInstance(
    DepartmentConfig,
    { code: 'CIVIL', name: 'civil', adapter: { type: 'rest', options }, delivery: { concurrency: 2 } },
    { exposeDefaultValues: true },
  );
  return new RestAdapter(
    {
      department,
      options: parseRestAdapterOptions(options),
      egress: createEgressGuard('CIVIL', ['civil.test:80', 'health.test:80']),
      configDir: __dirname,
      log: jest.fn(),
    },
    { now: () => clock.now },
  );
}

function request(
  message: unknown = { request_id: DELIVERY_ID },
  signal = new AbortController().signal,
): DeliveryRequest {
  return { deliveryId: DELIVERY_ID, caseId: 'case-1', department: 'CIVIL', attempt: 1, message, signal };
}

const tokenReply = (token: string, expiresIn = 300) =>
  nock(CIVIL)
    .post('/oauth/token', 'grant_type=client_credentials')
    .basicAuth({ user: 'tongban', pass: 'demo-secret' })
    .reply(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn });

const api = (token: string, reqheaders: Record<string, string> = { 'idempotency-key': DELIVERY_ID }) =>
  nock(CIVIL, { reqheaders: { authorization: `Bearer ${token}`, ...reqheaders } });

const withReason = (outcome: DeliveryOutcome) =>
  outcome.kind === 'transient' || outcome.kind === 'permanent' ? outcome : undefined;

let adapters: RestAdapter[] = [];
const civil = (clock?: Clock) => {
  const adapter = makeAdapter(civilOptions, clock);
  adapters.push(adapter);
  return adapter;
};

beforeAll(() => nock.disableNetConnect());
afterEach(async () => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  await Promise.all(adapters.map((a) => a.close()));
  adapters = [];
  expect(pending).toEqual([]);
});
afterAll(() => {
  nock.enableNetConnect();
  // Jest workers share core modules: leave http unpatched for the next test file.
  nock.restore();
});

describe('RestAdapter classification', () => {
  it('201: delivered with the reference and the exact bytes exchanged', async () => {
    tokenReply('t1');
    api('t1')
      .post('/api/assistance/applications', { request_id: DELIVERY_ID })
      .reply(201, { application_no: 'MZ1', status: '已受理' });
    const outcome = await civil().deliver(request());
    expect(outcome).toMatchObject({
      kind: 'delivered',
      receipt: { reference: 'MZ1', fields: { status: '已受理' } },
    });
    expect(outcome.exchange?.sent?.toString()).toBe(JSON.stringify({ request_id: DELIVERY_ID }));
    expect(outcome.exchange?.received?.toString()).toBe('{"application_no":"MZ1","status":"已受理"}');
    expect(outcome.exchange?.httpStatus).toBe(201);
  });

  it('200 (same key again): delivered with the same reference', async () => {
    tokenReply('t1');
    api('t1').post('/api/assistance/applications').reply(200, { application_no: 'MZ1', status: '已受理' });
    await expect(civil().deliver(request())).resolves.toMatchObject({
      kind: 'delivered',
      receipt: { reference: 'MZ1' },
    });
  });

  it('400: permanent with the department message, never the whole body', async () => {
    tokenReply('t1');
    api('t1')
      .post('/api/assistance/applications')
      .reply(400, { error: 'invalid_request', message: 'id_number: required', echo: '110101199003071234' });
    const outcome = withReason(await civil().deliver(request()));
    expect(outcome).toMatchObject({ kind: 'permanent', errorClass: 'HTTP_400' });
    expect(outcome?.reason).toBe('HTTP 400: invalid_request: id_number: required');
  });

  it('reads a GBK error message, and JSON labelled text/html', async () => {
    tokenReply('t1');
    api('t1')
      .post('/api/assistance/applications')
      .reply(400, iconv.encode(JSON.stringify({ message: '证件号码错误' }), 'gbk'), {
        'Content-Type': 'application/json; charset=GBK',
      });
    api('t1')
      .post('/api/assistance/applications')
      .reply(201, JSON.stringify({ application_no: 'MZ3' }), { 'Content-Type': 'text/html;charset=UTF-8' });
    const adapter = civil();
    await expect(adapter.deliver(request())).resolves.toMatchObject({ reason: 'HTTP 400: 证件号码错误' });
    await expect(adapter.deliver(request())).resolves.toMatchObject({
      kind: 'delivered',
      receipt: { reference: 'MZ3' },
    });
  });

  it('401: renews the token once and delivers', async () => {
    tokenReply('stale');
    api('stale').post('/api/assistance/applications').reply(401, { error: 'invalid_token' });
    tokenReply('fresh');
    api('fresh').post('/api/assistance/applications').reply(201, { application_no: 'MZ2' });
    await expect(civil().deliver(request())).resolves.toMatchObject({
      kind: 'delivered',
      receipt: { reference: 'MZ2' },
    });
  });

  it('401 twice: exactly one retry, then permanent AUTH', async () => {
    tokenReply('a');
    api('a').post('/api/assistance/applications').reply(401, { error: 'invalid_token', message: 'expired' });
    tokenReply('b');
    api('b').post('/api/assistance/applications').reply(401, { error: 'invalid_token', message: 'expired' });
    await expect(civil().deliver(request())).resolves.toMatchObject({
      kind: 'permanent',
      errorClass: 'AUTH',
    });
  });

  it('422 (HEALTH): permanent with { message }', async () => {
    nock(HEALTH).post('/v1/birth-registrations').reply(422, { message: 'childOrder: an integer ≥ 1' });
    const adapter = makeAdapter(healthOptions);
    adapters.push(adapter);
    await expect(adapter.deliver(request({ requestId: DELIVERY_ID }))).resolves.toMatchObject({
      kind: 'permanent',
      errorClass: 'HTTP_422',
      reason: 'HTTP 422: childOrder: an integer ≥ 1',
    });
  });

  it('429 with Retry-After seconds, and 503 with an HTTP date: transient with the hint', async () => {
    tokenReply('t1');
    api('t1')
      .post('/api/assistance/applications')
      .reply(429, { message: 'slow down' }, { 'Retry-After': '7' });
    const adapter = civil();
    await expect(adapter.deliver(request())).resolves.toMatchObject({
      kind: 'transient',
      errorClass: 'HTTP_429',
      retryAfterMs: 7000,
    });
    api('t1')
      .post('/api/assistance/applications')
      .reply(503, 'busy', { 'Retry-After': new Date(NOW + 30_000).toUTCString() });
    await expect(adapter.deliver(request())).resolves.toMatchObject({
      kind: 'transient',
      errorClass: 'HTTP_503',
      retryAfterMs: 30_000,
    });
  });

  it('502 HTML page from a proxy: transient, no parse error', async () => {
    tokenReply('t1');
    api('t1')
      .post('/api/assistance/applications')
      .reply(502, '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', {
        'Content-Type': 'text/html',
      });
    await expect(civil().deliver(request())).resolves.toMatchObject({
      kind: 'transient',
      errorClass: 'HTTP_502',
      reason: 'HTTP 502: Bad Gateway',
    });
  });

  it('timeout after the request was sent: transient and ambiguous', async () => {
    tokenReply('t1');
    api('t1').post('/api/assistance/applications').delay(600).reply(201, { application_no: 'late' });
    const outcome = await civil().deliver(request(undefined, AbortSignal.timeout(100)));
    expect(outcome).toMatchObject({ kind: 'transient', ambiguous: true, errorClass: 'TIMEOUT' });
  });

  it('connection reset after sending: transient and ambiguous', async () => {
    tokenReply('t1');
    api('t1')
      .post('/api/assistance/applications')
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(civil().deliver(request())).resolves.toMatchObject({
      kind: 'transient',
      ambiguous: true,
      errorClass: 'NETWORK',
    });
  });

  it('an answer over maxResponseBytes: transient, ambiguous, RESPONSE_TOO_LARGE', async () => {
    nock(HEALTH)
      .post('/v1/birth-registrations')
      .reply(201, `{"registrationNo":"${'x'.repeat(10_000)}"}`);
    const adapter = makeAdapter({ ...healthOptions, maxResponseBytes: 2048 });
    adapters.push(adapter);
    await expect(adapter.deliver(request())).resolves.toMatchObject({
      kind: 'transient',
      ambiguous: true,
      errorClass: 'RESPONSE_TOO_LARGE',
    });
  });

  it('decodes a gzip answer, and applies maxResponseBytes to the decoded size', async () => {
    const receipt = JSON.stringify({ registrationNo: 'WJ7', state: 'ACCEPTED', pad: ' '.repeat(4000) });
    const gzipped = gzipSync(receipt);
    expect(gzipped.length).toBeLessThan(2048);
    nock(HEALTH)
      .post('/v1/birth-registrations')
      .twice()
      .reply(201, gzipped, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
    const roomy = makeAdapter(healthOptions);
    const tight = makeAdapter({ ...healthOptions, maxResponseBytes: 2048 });
    adapters.push(roomy, tight);
    const outcome = await roomy.deliver(request());
    expect(outcome).toMatchObject({ kind: 'delivered', receipt: { reference: 'WJ7' } });
    expect(outcome.exchange?.received?.toString()).toBe(receipt);
    await expect(tight.deliver(request())).resolves.toMatchObject({ errorClass: 'RESPONSE_TOO_LARGE' });
  });

  it('2xx with invalid JSON: transient BAD_RESPONSE', async () => {
    tokenReply('t1');
    api('t1').post('/api/assistance/applications').reply(201, '{"application_no": MZ', {
      'Content-Type': 'application/json',
    });
    await expect(civil().deliver(request())).resolves.toMatchObject({
      kind: 'transient',
      errorClass: 'BAD_RESPONSE',
    });
  });

  it('token endpoint refusing the client: permanent AUTH; token endpoint down: transient', async () => {
    nock(CIVIL).post('/oauth/token').reply(401, { error: 'invalid_client' });
    await expect(civil().deliver(request())).resolves.toMatchObject({
      kind: 'permanent',
      errorClass: 'AUTH',
      reason: 'OAuth2 token refused: token endpoint answered HTTP 401: invalid_client',
    });
    nock(CIVIL).post('/oauth/token').reply(503);
    await expect(civil().deliver(request())).resolves.toMatchObject({
      kind: 'transient',
      errorClass: 'AUTH_TOKEN',
    });
  });
});

describe('OAuth2 token cache', () => {
  it('reuses the token, renews it 60 s before expiry', async () => {
    const clock = { now: NOW };
    const adapter = civil(clock);
    tokenReply('first', 300);
    api('first').post('/api/assistance/applications').times(3).reply(201, { application_no: 'MZ1' });
    await adapter.deliver(request());
    clock.now += 200_000;
    await Promise.all([adapter.deliver(request()), adapter.deliver(request())]);
    clock.now += 41_000; // 241 s after issue: inside the 60 s refresh window
    tokenReply('second', 300);
    api('second').post('/api/assistance/applications').reply(201, { application_no: 'MZ1' });
    await expect(adapter.deliver(request())).resolves.toMatchObject({ kind: 'delivered' });
  });

  it('concurrent deliveries share one token request', async () => {
    tokenReply('shared');
    api('shared').post('/api/assistance/applications').times(3).reply(201, { application_no: 'MZ1' });
    const adapter = civil();
    const outcomes = await Promise.all([1, 2, 3].map(() => adapter.deliver(request())));
    expect(outcomes.map((o) => o.kind)).toEqual(['delivered', 'delivered', 'delivered']);
  });
});

describe('HMAC signature (HEALTH)', () => {
  it('sends the exact headers for a fixed clock', async () => {
    const message = { requestId: DELIVERY_ID, childOrder: 1 };
    // printf '1700000000\nPOST\n/v1/birth-registrations\n<sha256 of body>' | openssl dgst -sha256 -hmac demo-secret
    nock(HEALTH, {
      reqheaders: {
        'x-key-id': 'tongban',
        'x-timestamp': '1700000000',
        'x-signature': 'ec5c81baedbdd87757a7b0c58789c966be8be58662fa892a1ebf25f2e888d672',
        'x-request-id': DELIVERY_ID,
      },
    })
      .post('/v1/birth-registrations', message)
      .reply(201, { registrationNo: 'WJ1' });
    const adapter = makeAdapter(healthOptions);
    adapters.push(adapter);
    await expect(adapter.deliver(request(message))).resolves.toMatchObject({
      kind: 'delivered',
      receipt: { reference: 'WJ1' },
    });
  });
});

describe('redirects', () => {
  it('refuses a redirect to a host outside the allowlist before connecting', async () => {
    nock(HEALTH).post('/v1/birth-registrations').reply(307, '', { Location: 'http://evil.test/collect' });
    const adapter = makeAdapter({ ...healthOptions, followRedirects: true });
    adapters.push(adapter);
    const outcome = withReason(await adapter.deliver(request()));
    expect(outcome).toMatchObject({ kind: 'permanent', errorClass: 'EGRESS_DENIED' });
    expect(outcome?.reason).toContain('evil.test:80');
  });

  it('follows a 307 inside the allowlist and re-signs it', async () => {
    nock(HEALTH).post('/v1/birth-registrations').reply(307, '', { Location: '/v2/birth-registrations' });
    nock(HEALTH, { reqheaders: { 'x-signature': /^[0-9a-f]{64}$/ } })
      .post('/v2/birth-registrations')
      .reply(201, { registrationNo: 'WJ9' });
    const adapter = makeAdapter({ ...healthOptions, followRedirects: true });
    adapters.push(adapter);
    await expect(adapter.deliver(request())).resolves.toMatchObject({
      kind: 'delivered',
      receipt: { reference: 'WJ9' },
    });
  });

  it('does not follow redirects by default', async () => {
    nock(HEALTH).post('/v1/birth-registrations').reply(302, '', { Location: '/elsewhere' });
    const adapter = makeAdapter(healthOptions);
    adapters.push(adapter);
    await expect(adapter.deliver(request())).resolves.toMatchObject({
      kind: 'permanent',
      errorClass: 'REDIRECT',
    });
  });
});

describe('checkStatus and healthCheck', () => {
  it('reads the status fields; 404 means unknown', async () => {
    tokenReply('t1');
    api('t1', {}).get(`/api/assistance/applications/by-request/${DELIVERY_ID}`).reply(200, {
      application_no: 'MZ1',
      status: '已批准',
      remark: 'ok',
      finished_at: '2025-01-02T10:00:00+08:00',
    });
    api('t1', {})
      .get(`/api/assistance/applications/by-request/${DELIVERY_ID}`)
      .reply(404, { error: 'not_found' });
    const adapter = civil();
    const signal = new AbortController().signal;
    await expect(adapter.checkStatus?.({ deliveryId: DELIVERY_ID, signal })).resolves.toEqual({
      deliveryId: DELIVERY_ID,
      status: '已批准',
      remark: 'ok',
      finishedAt: '2025-01-02T10:00:00+08:00',
      receipt: expect.objectContaining({ reference: 'MZ1' }) as unknown,
    });
    await expect(adapter.checkStatus?.({ deliveryId: DELIVERY_ID, signal })).resolves.toBeUndefined();
  });

  it('healthCheck: any answer below 500 is reachable', async () => {
    nock(HEALTH).head('/').reply(404);
    nock(HEALTH).head('/').reply(503);
    const adapter = makeAdapter(healthOptions);
    adapters.push(adapter);
    const signal = new AbortController().signal;
    await expect(adapter.healthCheck(signal)).resolves.toEqual({ ok: true, detail: 'HTTP 404' });
    await expect(adapter.healthCheck(signal)).resolves.toEqual({ ok: false, detail: 'HTTP 503' });
  });
});
