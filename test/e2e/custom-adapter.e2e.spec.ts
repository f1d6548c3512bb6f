import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedLengthTcpAdapterFactory } from '../../src/adapters/examples/fixed-length-tcp/fixed-length-tcp.adapter';
import { FixedLengthSimulator } from '../../src/simulators/tcp/fixed-length.simulator';
import { deliveriesOf } from '../support/delivery-probe';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import {
  EXAMPLE_CONFIG_DIR,
  PLATFORM_KEY,
  startTestGateway,
  type TestGateway,
} from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

/** The example custom adapter, registered through the SDK, delivering to a raw-TCP legacy system. */
describe('a custom adapter (fixed-length messages over TCP)', () => {
  const department = new FixedLengthSimulator();
  const dir = mkdtempSync(join(tmpdir(), 'tongban-custom-'));
  let gw: TestGateway;

  beforeAll(async () => {
    const port = await department.start();
    cpSync(EXAMPLE_CONFIG_DIR, dir, { recursive: true });
    for (const code of ['HRSS', 'CIVIL', 'HEALTH', 'DPF']) rmSync(join(dir, 'departments', `${code}.yaml`));
    writeFileSync(
      join(dir, 'departments', 'TCPDEPT.yaml'),
      `code: TCPDEPT\nname: 区残联 旧业务系统 (定长报文)\nadapter:\n  type: fixed-length-tcp\n  options:\n    host: 127.0.0.1\n    port: ${port}\n` +
        '    fields: [{ name: serialNo, width: 36 }, { name: name, width: 20 }, { name: idNumber, width: 18 }]\n' +
        `delivery: { concurrency: 2, timeoutMs: 1500, retry: { attempts: 5, baseDelayMs: 30, maxDelayMs: 60 } }\nnetwork: { allowedHosts: ['127.0.0.1:${port}'] }\n`,
    );
    writeFileSync(
      join(dir, 'mappings', 'tcp-dibao.yaml'),
      'id: tcp-dibao\ndirection: forward\noutput: record\nfields:\n  serialNo: $ctx.deliveryId\n  name: applicant.name\n  idNumber: applicant.idNumber\n',
    );
    writeFileSync(
      join(dir, 'routes.yaml'),
      'routes:\n  - service: CIVIL-DIBAO\n    targets: [{ department: TCPDEPT, mapping: tcp-dibao }]\n',
    );
    gw = await startTestGateway({ configDir: dir, extraProviders: [FixedLengthTcpAdapterFactory] });
  });
  afterAll(async () => {
    await gw.close();
    await department.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = async (name: string) => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', {
      key: PLATFORM_KEY,
      body: sampleCase({
        serviceCode: 'CIVIL-DIBAO',
        applicant: { name, idType: 'RESIDENT_ID', idNumber: '11010519491231002X' },
        form: { householdSize: 1, monthlyIncomeYuan: '0' },
      }),
    });
    expect(res.status).toBe(202);
    return res.body.deliveries[0].id as string;
  };

  it('delivers through the custom adapter, retries its "busy" answers, and refuses what the layout cannot hold', async () => {
    department.busy = true;
    const id = await submit('欧阳娜娜');
    await waitFor(
      async () => (await deliveriesOf(gw, 'id = ? AND attempts >= 2', [id])).length === 1,
      'retries while busy',
    );
    department.busy = false;
    await waitFor(
      async () => (await deliveriesOf(gw, "id = ? AND status = 'DELIVERED'", [id])).length === 1,
      'delivery',
    );
    expect((await deliveriesOf(gw, 'id = ?', [id]))[0].receipt_ref).toMatch(/^TCP\d{8}$/);
    expect(department.casesCreated).toBe(1);
    expect(department.received.at(-1)).toContain('欧阳娜娜');

    // 11 Chinese characters are 22 GBK bytes: more than the 20 the layout gives the name.
    const tooLong = await submit('阿依古丽买买提阿依古丽买');
    await waitFor(
      async () => (await deliveriesOf(gw, "id = ? AND status = 'REJECTED'", [tooLong])).length === 1,
      'rejection',
    );
    expect((await deliveriesOf(gw, 'id = ?', [tooLong]))[0].last_error).toMatch(
      /needs 24 bytes|needs 22 bytes/,
    );
  });
});
