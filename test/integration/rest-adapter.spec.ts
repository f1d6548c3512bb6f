import { plainToInstance } from 'class-transformer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createEgressGuard } from '../../src/adapters/network/egress-guard';
import { parseRestAdapterOptions } from '../../src/adapters/rest/rest-adapter.options';
import { RestAdapter } from '../../src/adapters/rest/rest-department-adapter';
import type { DeliveryRequest } from '../../src/adapters/sdk/department-adapter';
import { interpolateEnvironment } from '../../src/config/env-interpolation';
import { DepartmentConfig } from '../../src/config/model/department-config';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { HealthSimulator } from '../../src/simulators/rest/health.simulator';

const CONFIG_DIR = join(__dirname, '../../config');

/** The shipped department YAML, pointed at a simulator through the documented env vars. */
function departmentFromYaml(code: 'CIVIL' | 'HEALTH', env: Record<string, string>): DepartmentConfig {
  const raw: unknown = parse(readFileSync(join(CONFIG_DIR, `departments/${code}.yaml`), 'utf8'));
  const { value } = interpolateEnvironment(raw, env);
  return plainToInstance(DepartmentConfig, value, { exposeDefaultValues: true });
}

function adapterFor(
  department: DepartmentConfig,
  overrides: Record<string, unknown> = {},
  now?: () => number,
) {
  const options = parseRestAdapterOptions({ ...department.adapter.options, ...overrides });
  return new RestAdapter(
    {
      department,
      options,
      egress: createEgressGuard(department.code, department.network?.allowedHosts),
      configDir: CONFIG_DIR,
      log: jest.fn(),
    },
    { now },
  );
}

let sequence = 0;
const newDeliveryId = () => `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;

function civilMessage(deliveryId: string): Record<string, unknown> {
  return {
    request_id: deliveryId,
    applicant_name: '张三',
    id_type: '居民身份证',
    id_number: '110101199003071234',
    gender: '男',
    birth_date: '1990-03-07',
    phone: '13812345678',
    region_code: '110101001000',
    household_size: 2,
    monthly_income_fen: 123456,
    family_members: [{ relation: '配偶', name: '李四', id_number: '110101199101011238' }],
    accepted_at: '2025-01-02T09:30:00+08:00',
    channel: '窗口',
  };
}

function healthMessage(deliveryId: string): Record<string, unknown> {
  return {
    requestId: deliveryId,
    applicantName: '王芳',
    idType: '01',
    idNumber: '110101199003071264',
    birthDate: '1990-03-07',
    phone: '13912345678',
    regionCode: '110101',
    acceptedAt: '2025-01-02T09:30:00+08:00',
    childOrder: 1,
  };
}

function request(deliveryId: string, message: unknown, signal = AbortSignal.timeout(5_000)): DeliveryRequest {
  return { deliveryId, caseId: `case-${deliveryId}`, department: 'X', attempt: 1, message, signal };
}

const hostOf = (url: string) => new URL(url).host;
const adapters: RestAdapter[] = [];
const track = (adapter: RestAdapter) => (adapters.push(adapter), adapter);
afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
});

describe('CIVIL over OAuth2 against the simulator', () => {
  const sim = new CivilSimulator({ tokenTtlSeconds: 2 });
  let civil: DepartmentConfig;

  beforeAll(async () => {
    const url = await sim.start();
    civil = departmentFromYaml('CIVIL', { CIVIL_BASE_URL: url, CIVIL_ALLOWED_HOST: hostOf(url) });
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  it('delivers, and the same delivery id again is counted once', async () => {
    const adapter = track(adapterFor(civil));
    const id = newDeliveryId();
    const first = await adapter.deliver(request(id, civilMessage(id)));
    expect(first).toMatchObject({
      kind: 'delivered',
      receipt: { reference: expect.stringMatching(/^MZ\d{14}$/) },
    });
    const again = await adapter.deliver(request(id, civilMessage(id)));
    expect(again.kind === 'delivered' && again.receipt.reference).toBe(
      first.kind === 'delivered' && first.receipt.reference,
    );
    expect(sim.stats()).toMatchObject({
      casesCreated: 1,
      uniqueIdempotencyKeys: 1,
      duplicateRequests: 1,
      duplicatesApplied: 0,
    });
  });

  it('reuses the token, renews it as it expires, and recovers from a revoked one', async () => {
    const adapter = track(adapterFor(civil));
    const issued = sim.tokensIssued;
    for (let i = 0; i < 2; i++) {
      const id = newDeliveryId();
      await expect(adapter.deliver(request(id, civilMessage(id)))).resolves.toMatchObject({
        kind: 'delivered',
      });
    }
    expect(sim.tokensIssued).toBe(issued + 1);
    // 2 s tokens are renewed after half their life (the 60 s skew is capped at half).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const id = newDeliveryId();
    await expect(adapter.deliver(request(id, civilMessage(id)))).resolves.toMatchObject({
      kind: 'delivered',
    });
    expect(sim.tokensIssued).toBe(issued + 2);
    sim.revokeTokens();
    const next = newDeliveryId();
    await expect(adapter.deliver(request(next, civilMessage(next)))).resolves.toMatchObject({
      kind: 'delivered',
    });
    expect(sim.tokensIssued).toBe(issued + 3);
  });

  it('invalid data: permanent with the department message', async () => {
    const id = newDeliveryId();
    const outcome = await track(adapterFor(civil)).deliver(request(id, { ...civilMessage(id), gender: '1' }));
    expect(outcome).toMatchObject({
      kind: 'permanent',
      errorClass: 'HTTP_400',
      reason: 'HTTP 400: invalid_request: gender: 男 or 女',
    });
    expect(sim.stats().casesCreated).toBe(0);
  });

  it('flaky: 503 twice, then delivered', async () => {
    sim.setFault({ mode: 'flaky', count: 2 });
    const adapter = track(adapterFor(civil));
    const id = newDeliveryId();
    const kinds = [];
    for (let attempt = 0; attempt < 3; attempt++)
      kinds.push((await adapter.deliver(request(id, civilMessage(id)))).kind);
    expect(kinds).toEqual(['transient', 'transient', 'delivered']);
    expect(sim.stats()).toMatchObject({ createRequests: 3, casesCreated: 1, faultsInjected: 2 });
  });

  it('ambiguous: commits, the client times out, checkStatus finds it, the retry is not a second case', async () => {
    sim.setFault({ mode: 'ambiguous', delayMs: 2_000, count: 1 });
    const adapter = track(adapterFor(civil));
    const id = newDeliveryId();
    const timedOut = await adapter.deliver(request(id, civilMessage(id), AbortSignal.timeout(300)));
    expect(timedOut).toMatchObject({ kind: 'transient', ambiguous: true, errorClass: 'TIMEOUT' });
    const status = await adapter.checkStatus?.({ deliveryId: id, signal: AbortSignal.timeout(2_000) });
    expect(status).toMatchObject({ deliveryId: id, status: '已受理' });
    const retry = await adapter.deliver(request(id, civilMessage(id)));
    expect(retry).toMatchObject({ kind: 'delivered', receipt: { reference: status?.receipt?.reference } });
    expect(sim.stats()).toMatchObject({ casesCreated: 1, uniqueIdempotencyKeys: 1, duplicatesApplied: 0 });
  });

  it('checkStatus follows control-set statuses; unknown ids are undefined', async () => {
    const adapter = track(adapterFor(civil));
    const id = newDeliveryId();
    await adapter.deliver(request(id, civilMessage(id)));
    sim.setStatus(id, '不予批准', '收入超标');
    await expect(
      adapter.checkStatus?.({ deliveryId: id, signal: AbortSignal.timeout(2_000) }),
    ).resolves.toMatchObject({
      status: '不予批准',
      remark: '收入超标',
      finishedAt: expect.stringMatching(/\+08:00$/),
    });
    await expect(
      adapter.checkStatus?.({ deliveryId: newDeliveryId(), signal: AbortSignal.timeout(2_000) }),
    ).resolves.toBeUndefined();
  });

  it('html-502 from a proxy: transient', async () => {
    sim.setFault({ mode: 'html-502' });
    const id = newDeliveryId();
    await expect(track(adapterFor(civil)).deliver(request(id, civilMessage(id)))).resolves.toMatchObject({
      kind: 'transient',
      errorClass: 'HTTP_502',
      reason: 'HTTP 502: Bad Gateway',
    });
  });

  it('healthCheck: up, then down', async () => {
    const adapter = track(adapterFor(civil));
    await expect(adapter.healthCheck(AbortSignal.timeout(2_000))).resolves.toEqual({
      ok: true,
      detail: 'HTTP 200',
    });
    sim.setFault({ mode: 'down' });
    await expect(adapter.healthCheck(AbortSignal.timeout(2_000))).resolves.toEqual({
      ok: false,
      detail: 'HTTP 503',
    });
  });
});

describe('HEALTH over HMAC against the simulator', () => {
  const sim = new HealthSimulator();
  let health: DepartmentConfig;

  beforeAll(async () => {
    const url = await sim.start();
    health = departmentFromYaml('HEALTH', { HEALTH_BASE_URL: url, HEALTH_ALLOWED_HOST: hostOf(url) });
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  it('delivers a signed request and reads its status', async () => {
    const adapter = track(adapterFor(health));
    const id = newDeliveryId();
    await expect(adapter.deliver(request(id, healthMessage(id)))).resolves.toMatchObject({
      kind: 'delivered',
      receipt: { reference: expect.stringMatching(/^WJ\d{14}$/) },
    });
    await expect(
      adapter.checkStatus?.({ deliveryId: id, signal: AbortSignal.timeout(2_000) }),
    ).resolves.toMatchObject({
      status: 'RECEIVED',
    });
  });

  it('a wrong secret or a skewed clock: permanent AUTH, nothing created', async () => {
    const id = newDeliveryId();
    const wrong = track(
      adapterFor(health, { auth: { type: 'hmac', keyId: 'tongban', secret: 'not-the-secret' } }),
    );
    await expect(wrong.deliver(request(id, healthMessage(id)))).resolves.toMatchObject({
      kind: 'permanent',
      errorClass: 'AUTH',
      reason: 'HTTP 401: bad signature',
    });
    const skewed = track(adapterFor(health, {}, () => Date.now() - 400_000));
    await expect(skewed.deliver(request(id, healthMessage(id)))).resolves.toMatchObject({
      kind: 'permanent',
      errorClass: 'AUTH',
    });
    expect(sim.stats().casesCreated).toBe(0);
  });

  it('invalid data: 422, permanent', async () => {
    const id = newDeliveryId();
    await expect(
      track(adapterFor(health)).deliver(request(id, { ...healthMessage(id), childOrder: 0 })),
    ).resolves.toMatchObject({
      kind: 'permanent',
      errorClass: 'HTTP_422',
      reason: 'HTTP 422: childOrder: an integer ≥ 1',
    });
  });

  it('egress: a department not allowed to reach the simulator port never connects', async () => {
    const fenced = Object.assign(new DepartmentConfig(), health, {
      network: { allowedHosts: ['127.0.0.1:1'] },
    });
    const id = newDeliveryId();
    const outcome = await track(adapterFor(fenced)).deliver(request(id, healthMessage(id)));
    expect(outcome).toMatchObject({ kind: 'permanent', errorClass: 'EGRESS_DENIED' });
    await expect(track(adapterFor(fenced)).healthCheck(AbortSignal.timeout(2_000))).resolves.toMatchObject({
      ok: false,
    });
    expect(sim.stats()).toMatchObject({ connections: 0, received: 0 });
  });

  it('connection refused (department offline): transient, not ambiguous', async () => {
    const offline = new HealthSimulator();
    const url = await offline.start();
    await offline.stop();
    const department = departmentFromYaml('HEALTH', {
      HEALTH_BASE_URL: url,
      HEALTH_ALLOWED_HOST: hostOf(url),
    });
    const id = newDeliveryId();
    const outcome = await track(adapterFor(department)).deliver(request(id, healthMessage(id)));
    expect(outcome).toMatchObject({ kind: 'transient', errorClass: 'NETWORK' });
    expect(outcome.kind === 'transient' && outcome.ambiguous).toBeFalsy();
  });
});
