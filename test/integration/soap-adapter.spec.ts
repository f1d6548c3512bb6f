import * as iconv from 'iconv-lite';
import type { DepartmentAdapter } from '../../src/adapters/sdk/department-adapter';
import { HrssSimulator } from '../../src/simulators/soap/hrss.simulator';
import {
  createSoapAdapter,
  deliveryRequest,
  expectKind,
  hrssMessage,
  type LogEntry,
  testEgress,
} from '../fixtures/soap/soap-test-kit';

describe('SOAP adapter against the HRSS simulator', () => {
  const simulator = new HrssSimulator();
  const logs: LogEntry[] = [];
  let endpoint: string;
  let adapter: DepartmentAdapter;
  const adapters: DepartmentAdapter[] = [];

  const make = async (plain: Record<string, unknown> = {}) => {
    const created = await createSoapAdapter({ endpoint, ...plain }, { logs });
    adapters.push(created);
    return created;
  };

  beforeAll(async () => {
    endpoint = await simulator.start();
    adapter = await make();
  });

  afterEach(() => {
    simulator.clearFault();
    logs.length = 0;
  });

  afterAll(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await simulator.stop();
  });

  it('delivers and returns the businessNo with the exact wire bytes', async () => {
    const request = deliveryRequest(hrssMessage());
    const outcome = expectKind(await adapter.deliver(request), 'delivered');
    expect(outcome.receipt.reference).toMatch(/^SY\d{16}$/);
    expect(outcome.receipt.fields).toMatchObject({ resultCode: '0000' });
    const exchange = outcome.exchange!;
    expect(exchange.httpStatus).toBe(200);
    // The delivery id went in as requestId, under a PasswordDigest UsernameToken.
    expect(exchange.sent!.toString('utf8')).toContain(`<requestId>${request.deliveryId}</requestId>`);
    expect(exchange.sent!.toString('utf8')).toContain('#PasswordDigest');
    expect(exchange.received!.toString('utf8')).toContain(outcome.receipt.reference!);
  });

  it('accepts PasswordText and PasswordDigest; a wrong password is a permanent Authentication fault', async () => {
    const text = await make({
      security: {
        type: 'usernameToken',
        username: 'tongban',
        password: 'demo-password',
        passwordType: 'PasswordText',
      },
    });
    expectKind(await text.deliver(deliveryRequest(hrssMessage())), 'delivered');
    for (const passwordType of ['PasswordText', 'PasswordDigest']) {
      const wrong = await make({
        security: { type: 'usernameToken', username: 'tongban', password: 'nope', passwordType },
      });
      const outcome = expectKind(await wrong.deliver(deliveryRequest(hrssMessage())), 'permanent');
      expect(outcome.exchange?.faultCode).toBe('soap:Client.Authentication');
      expect(outcome.errorClass).toBe('SOAP_FAULT');
    }
  });

  it('a validation fault is permanent with the fault string', async () => {
    const outcome = expectKind(
      await adapter.deliver(deliveryRequest(hrssMessage({ zjhm: '123' }))),
      'permanent',
    );
    expect(outcome.exchange?.faultCode).toBe('soap:Client.ValidationFailed');
    expect(outcome.reason).toContain('身份证号码长度或格式错误');
    const missing = hrssMessage();
    delete (missing.applicant as Record<string, unknown>).xm;
    const noName = expectKind(await adapter.deliver(deliveryRequest(missing)), 'permanent');
    expect(noName.reason).toContain('applicant/xm');
  });

  it('a Server fault is transient', async () => {
    simulator.setFault({ mode: 'always-failing' });
    const outcome = expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'transient');
    expect(outcome.exchange?.faultCode).toBe('soap:Server.Unavailable');
    expect(outcome.ambiguous).toBeUndefined();
  });

  it('flaky ×K then OK', async () => {
    simulator.setFault({ mode: 'flaky', count: 2 });
    const request = deliveryRequest(hrssMessage());
    for (let i = 0; i < 2; i++) {
      const outcome = expectKind(await adapter.deliver({ ...request, attempt: i + 1 }), 'transient');
      expect(outcome.exchange?.faultCode).toBe('soap:Server.Busy');
    }
    expectKind(await adapter.deliver({ ...request, attempt: 3 }), 'delivered');
  });

  it('ambiguous timeout, then checkStatus and a retry with the same requestId are applied once', async () => {
    simulator.reset();
    simulator.setFault({ mode: 'ambiguous', delayMs: 1_500 });
    const request = deliveryRequest(hrssMessage(), { timeoutMs: 300 });
    const first = expectKind(await adapter.deliver(request), 'transient');
    expect(first).toMatchObject({ ambiguous: true, errorClass: 'TIMEOUT' });
    simulator.clearFault();
    const status = await adapter.checkStatus!({
      deliveryId: request.deliveryId,
      signal: AbortSignal.timeout(5_000),
    });
    expect(status?.status).toBe('01');
    const retry = expectKind(
      await adapter.deliver({ ...request, attempt: 2, signal: AbortSignal.timeout(5_000) }),
      'delivered',
    );
    expect(retry.receipt.reference).toBe(status?.receipt?.reference);
    expect(simulator.stats()).toMatchObject({
      uniqueRequestIds: 1,
      submits: 2,
      duplicates: 1,
      duplicatesApplied: 0,
    });
  });

  it('checkStatus: unknown → undefined, known → the department status', async () => {
    const signal = AbortSignal.timeout(5_000);
    expect(await adapter.checkStatus!({ deliveryId: 'never-sent', signal })).toBeUndefined();
    const request = deliveryRequest(hrssMessage());
    const outcome = expectKind(await adapter.deliver(request), 'delivered');
    simulator.setStatus(request.deliveryId, '03', '审核通过');
    expect(await adapter.checkStatus!({ deliveryId: request.deliveryId, signal })).toMatchObject({
      deliveryId: request.deliveryId,
      status: '03',
      remark: '审核通过',
      finishedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      receipt: { reference: outcome.receipt.reference },
    });
  });

  it('decodes a GBK response with rare characters', async () => {
    simulator.setFault({ mode: 'gbk' });
    const outcome = expectKind(
      await adapter.deliver(deliveryRequest(hrssMessage({ xm: '朱镕基堃' }))),
      'delivered',
    );
    expect(outcome.receipt.fields?.resultMessage).toBe('朱镕基堃的失业登记已受理');
    const received = outcome.exchange!.received!;
    expect(received.includes(iconv.encode('镕', 'gbk'))).toBe(true);
    expect(received.toString('latin1')).toContain('encoding="GBK"');
  });

  describe('connections', () => {
    it('a refused connection is transient and not ambiguous', async () => {
      const closed = await make({ endpoint: 'http://127.0.0.1:9/hrss/UnemploymentService' });
      const outcome = expectKind(await closed.deliver(deliveryRequest(hrssMessage())), 'transient');
      expect(outcome).toMatchObject({ errorClass: 'CONNECTION', ambiguous: false });
      expect((await closed.healthCheck(AbortSignal.timeout(2_000))).ok).toBe(false);
    });

    it('asks the egress guard before every call and stops when it refuses', async () => {
      const egress = testEgress(['192.0.2.1']);
      const guarded = await createSoapAdapter({ endpoint }, { egress });
      adapters.push(guarded);
      const received = simulator.stats().received;
      const outcome = expectKind(await guarded.deliver(deliveryRequest(hrssMessage())), 'permanent');
      expect(outcome.errorClass).toBe('EGRESS_DENIED');
      expect(egress.checked).toEqual([`127.0.0.1:${new URL(endpoint).port}`]);
      expect(simulator.stats().received).toBe(received);
    });

    it('healthCheck reports up, and down while the department answers 503', async () => {
      expect(await adapter.healthCheck(AbortSignal.timeout(2_000))).toEqual({ ok: true, detail: 'HTTP 200' });
      simulator.setFault({ mode: 'down' });
      expect(await adapter.healthCheck(AbortSignal.timeout(2_000))).toEqual({
        ok: false,
        detail: 'HTTP 503',
      });
    });

    it('handles many concurrent deliveries over keep-alive', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, () => adapter.deliver(deliveryRequest(hrssMessage()))),
      );
      const references = outcomes.map((outcome) => expectKind(outcome, 'delivered').receipt.reference);
      expect(new Set(references).size).toBe(40);
    }, 30_000);
  });

  describe('SOAP 1.2', () => {
    it('delivers, reports Sender faults as permanent and answers status queries', async () => {
      const soap12 = await make({
        endpoint: simulator.endpoint12,
        soapVersion: '1.2',
        port: 'UnemploymentPort12',
      });
      const request = deliveryRequest(hrssMessage());
      const outcome = expectKind(await soap12.deliver(request), 'delivered');
      expect(outcome.exchange!.sent!.toString()).toContain('http://www.w3.org/2003/05/soap-envelope');
      const invalid = expectKind(
        await soap12.deliver(deliveryRequest(hrssMessage({ zjhm: '1' }))),
        'permanent',
      );
      expect(invalid.exchange?.faultCode).toBe('soap:Sender/tns:ValidationFailed');
      const signal = AbortSignal.timeout(5_000);
      expect(await soap12.checkStatus!({ deliveryId: 'unknown', signal })).toBeUndefined();
      expect(await soap12.checkStatus!({ deliveryId: request.deliveryId, signal })).toMatchObject({
        status: '01',
      });
      // The 1.1 adapter built from the same (cached) WSDL still speaks 1.1.
      const again = expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'delivered');
      expect(again.exchange!.sent!.toString()).toContain('http://schemas.xmlsoap.org/soap/envelope/');
    });
  });
});
