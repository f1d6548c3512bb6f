import { plainToInstance } from 'class-transformer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createEgressGuard } from '../../src/adapters/network/egress-guard';
import { parseRestAdapterOptions } from '../../src/adapters/rest/rest-adapter.options';
import { RestAdapter } from '../../src/adapters/rest/rest-department-adapter';
import type { DepartmentAdapter } from '../../src/adapters/sdk/department-adapter';
import { SoapAdapterFactory } from '../../src/adapters/soap';
import { interpolateEnvironment } from '../../src/config/env-interpolation';
import { DepartmentConfig } from '../../src/config/model/department-config';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { HrssSimulator } from '../../src/simulators/soap/hrss.simulator';
import { ConnectProxy } from '../../src/testkit/connect-proxy';
import { CONFIG_DIR, deliveryRequest, hrssMessage, soapOptions } from '../fixtures/soap/soap-test-kit';

const hostOf = (url: string) => new URL(url).host;

/** The shipped CIVIL department (OAuth2 + REST), with a proxy and an allowlist of the test's choosing. */
function civilDepartment(baseUrl: string, network: Record<string, unknown>): DepartmentConfig {
  const raw: unknown = parse(readFileSync(join(CONFIG_DIR, 'departments/CIVIL.yaml'), 'utf8'));
  const { value } = interpolateEnvironment(raw, { CIVIL_BASE_URL: baseUrl });
  return plainToInstance(DepartmentConfig, { ...(value as object), network }, { exposeDefaultValues: true });
}

function restAdapter(department: DepartmentConfig): RestAdapter {
  return new RestAdapter({
    department,
    options: parseRestAdapterOptions(department.adapter.options),
    egress: createEgressGuard(department.code, department.network?.allowedHosts),
    configDir: CONFIG_DIR,
    log: jest.fn(),
  });
}

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
    family_members: [],
    accepted_at: '2025-01-02T09:30:00+08:00',
    channel: '窗口',
  };
}

describe('departments behind an HTTP proxy (CONNECT tunnels)', () => {
  const civil = new CivilSimulator();
  const hrss = new HrssSimulator();
  const proxy = new ConnectProxy();
  const lockedProxy = new ConnectProxy({ credentials: { username: 'tongban', password: 'proxy-secret' } });
  const adapters: DepartmentAdapter[] = [];
  let civilUrl: string;
  let hrssUrl: string;
  let proxyUrl: string;
  let lockedProxyUrl: string;

  const track = <T extends DepartmentAdapter>(adapter: T): T => {
    adapters.push(adapter);
    return adapter;
  };
  const delivery = (id: string) => ({
    deliveryId: id,
    caseId: `case-${id}`,
    department: 'CIVIL',
    attempt: 1,
    message: civilMessage(id),
    signal: AbortSignal.timeout(5_000),
  });

  beforeAll(async () => {
    civilUrl = await civil.start();
    hrssUrl = await hrss.start();
    proxyUrl = await proxy.start();
    lockedProxyUrl = await lockedProxy.start();
  });
  afterEach(() => {
    proxy.requests.length = 0;
    lockedProxy.requests.length = 0;
  });
  afterAll(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await Promise.all([civil.stop(), hrss.stop(), proxy.stop(), lockedProxy.stop()]);
  });

  it('sends the token request and the delivery through the proxy', async () => {
    const adapter = track(
      restAdapter(
        civilDepartment(civilUrl, {
          allowedHosts: [hostOf(civilUrl), hostOf(proxyUrl)],
          proxy: { url: proxyUrl },
        }),
      ),
    );
    const outcome = await adapter.deliver(delivery('0190f0c2-7a1b-7c3d-8e4f-00000000p001'));
    expect(outcome.kind).toBe('delivered');
    expect(proxy.requests.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.requests)).toEqual(new Set([hostOf(civilUrl)]));
    expect(civil.stats().casesCreated).toBeGreaterThanOrEqual(1);
  });

  it('refuses a target outside the allowlist before asking the proxy', async () => {
    const adapter = track(
      restAdapter(civilDepartment(civilUrl, { allowedHosts: [hostOf(proxyUrl)], proxy: { url: proxyUrl } })),
    );
    const outcome = await adapter.deliver(delivery('0190f0c2-7a1b-7c3d-8e4f-00000000p002'));
    expect(outcome.kind).toBe('permanent');
    expect(JSON.stringify(outcome)).toMatch(/not in the allowedHosts/);
    expect(proxy.requests).toEqual([]);
  });

  it('refuses a proxy that is not itself in the allowlist', async () => {
    const adapter = track(
      restAdapter(civilDepartment(civilUrl, { allowedHosts: [hostOf(civilUrl)], proxy: { url: proxyUrl } })),
    );
    const outcome = await adapter.deliver(delivery('0190f0c2-7a1b-7c3d-8e4f-00000000p003'));
    expect(outcome.kind).not.toBe('delivered');
    expect(JSON.stringify(outcome)).toMatch(/not in the allowedHosts/);
    expect(proxy.requests).toEqual([]);
  });

  it('authenticates to the proxy, and reports its 407 as a failure to retry', async () => {
    const network = (username: string) => ({
      allowedHosts: [hostOf(civilUrl), hostOf(lockedProxyUrl)],
      proxy: { url: lockedProxyUrl, username, password: 'proxy-secret' },
    });
    const refused = track(restAdapter(civilDepartment(civilUrl, network('intruder'))));
    const failed = await refused.deliver(delivery('0190f0c2-7a1b-7c3d-8e4f-00000000p004'));
    expect(failed.kind).toBe('transient');
    expect(JSON.stringify(failed)).toMatch(/407/);

    const allowed = track(restAdapter(civilDepartment(civilUrl, network('tongban'))));
    const outcome = await allowed.deliver(delivery('0190f0c2-7a1b-7c3d-8e4f-00000000p005'));
    expect(outcome.kind).toBe('delivered');
  });

  it('delivers SOAP through the proxy', async () => {
    const department = plainToInstance(
      DepartmentConfig,
      {
        code: 'HRSS',
        name: 'HRSS',
        adapter: { type: 'soap' },
        network: { allowedHosts: [hostOf(hrssUrl), hostOf(proxyUrl)], proxy: { url: proxyUrl } },
      },
      { exposeDefaultValues: true },
    );
    const adapter = track(
      await new SoapAdapterFactory().create({
        department,
        options: soapOptions({ endpoint: hrssUrl }),
        egress: createEgressGuard('HRSS', department.network?.allowedHosts),
        configDir: CONFIG_DIR,
        log: jest.fn(),
      }),
    );
    const outcome = await adapter.deliver(deliveryRequest(hrssMessage()));
    expect(outcome.kind).toBe('delivered');
    expect(proxy.requests).toContain(hostOf(hrssUrl));
  });
});
