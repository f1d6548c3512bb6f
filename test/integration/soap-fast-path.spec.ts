import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DepartmentAdapter } from '../../src/adapters/sdk/department-adapter';
import { HrssSimulator } from '../../src/simulators/soap/hrss.simulator';
import { createSoapAdapter, deliveryRequest, expectKind, hrssMessage } from '../fixtures/soap/soap-test-kit';

const SECURITY = /<wsse:Security [\s\S]*?<\/wsse:Security>/;

describe('SOAP fast path against the HRSS simulator', () => {
  const simulator = new HrssSimulator();
  const adapters: DepartmentAdapter[] = [];
  let endpoint: string;

  const make = async (plain: Record<string, unknown> = {}) => {
    const created = await createSoapAdapter({ endpoint, ...plain });
    adapters.push(created);
    return created;
  };

  beforeAll(async () => {
    endpoint = await simulator.start();
  });

  afterAll(async () => {
    await Promise.all(adapters.map((adapter) => adapter.close()));
    await simulator.stop();
  });

  it.each([
    ['1.1', {}],
    ['1.2', { soapVersion: '1.2', port: 'UnemploymentPort12' }],
  ] as const)('sends node-soap’s envelope over SOAP %s, and the department accepts it', async (_, plain) => {
    const adapter = await make({ ...plain, endpoint: 'port' in plain ? simulator.endpoint12 : endpoint });
    for (let i = 0; i < 3; i++) {
      const request = deliveryRequest(hrssMessage({ xm: `张三${i} & <子>` }));
      const outcome = expectKind(await adapter.deliver(request), 'delivered');
      const preview = await adapter.render!({ deliveryId: request.deliveryId, message: request.message });
      const sent = outcome.exchange!.sent!.toString('utf8');
      expect(sent.replace(SECURITY, 'S')).toBe(preview.text.replace(SECURITY, 'S'));
      expect(outcome.receipt.fields).toMatchObject({ resultCode: '0000' });
    }
  });

  it('leaves messages it does not reproduce to node-soap, which delivers them as before', async () => {
    const adapter = await make();
    const message = hrssMessage();
    (message.applicant as Record<string, unknown>).xm = { $value: '王五' };
    const outcome = expectKind(await adapter.deliver(deliveryRequest(message)), 'delivered');
    expect(outcome.exchange!.sent!.toString('utf8')).toContain('<xm>王五</xm>');
  });

  it('classifies faults read on the fast path as before', async () => {
    const adapter = await make();
    const outcome = expectKind(
      await adapter.deliver(deliveryRequest(hrssMessage({ zjhm: '123' }))),
      'permanent',
    );
    expect(outcome.errorClass).toBe('SOAP_FAULT');
    expect(outcome.reason).toMatch(/^soap:Client\.ValidationFailed: applicant\/zjhm/);
    expect(outcome.exchange!.faultCode).toBe('soap:Client.ValidationFailed');
  });
});

describe('SOAP fast path: a response only node-soap reads', () => {
  let server: Server;
  let posts = 0;
  let adapter: DepartmentAdapter;

  beforeAll(async () => {
    server = createServer((req, res) => {
      posts += 1;
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
        // CDATA is outside the fast reader's subset.
        res.end(
          '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
            '<soap:Body><SubmitUnemploymentRegistrationResponse xmlns="urn:hrss:unemployment:v1">' +
            '<resultCode><![CDATA[0000]]></resultCode><businessNo>SY-CDATA</businessNo>' +
            '</SubmitUnemploymentRegistrationResponse></soap:Body></soap:Envelope>',
        );
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    adapter = await createSoapAdapter({ endpoint: `http://127.0.0.1:${port}/hrss` });
  });

  afterAll(async () => {
    await adapter.close();
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('is read by node-soap from the same bytes, without a second request', async () => {
    const outcome = expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'delivered');
    expect(outcome.receipt.reference).toBe('SY-CDATA');
    expect(outcome.exchange!.received!.toString('utf8')).toContain('SY-CDATA');
    expect(outcome.exchange!.sent!.toString('utf8')).toContain('#PasswordDigest');
    expect(posts).toBe(1);
  });
});
