import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliveriesOf } from '../support/delivery-probe';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import {
  EXAMPLE_CONFIG_DIR,
  PLATFORM_KEY,
  READER_KEY_ENV,
  startTestGateway,
  type TestGateway,
} from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

const PULL_KEY = 'tb-test-pull-key';
const sha = (key: string) => createHash('sha256').update(key).digest('hex');

/** A department that refuses inbound connections pulls its deliveries and acknowledges them. */
describe('pull mode (department outbox)', () => {
  let gw: TestGateway;
  const dir = mkdtempSync(join(tmpdir(), 'tongban-pull-'));

  beforeAll(async () => {
    cpSync(EXAMPLE_CONFIG_DIR, dir, { recursive: true });
    for (const code of ['HRSS', 'CIVIL', 'HEALTH', 'DPF']) rmSync(join(dir, 'departments', `${code}.yaml`));
    writeFileSync(
      join(dir, 'departments', 'STREET.yaml'),
      'code: STREET\nname: 街道民政科 (pulls over the private network)\nadapter: { type: pull, options: { leaseSeconds: 5 } }\n' +
        'delivery: { concurrency: 2, timeoutMs: 2000, retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 100 } }\n',
    );
    writeFileSync(
      join(dir, 'routes.yaml'),
      'routes:\n  - service: CIVIL-DIBAO\n    targets: [{ department: STREET, mapping: civil-dibao }]\n',
    );
    const keys = [
      ...(JSON.parse(READER_KEY_ENV) as object[]),
      { name: 'street office', source: 'STREET', scopes: ['outbox:pull'], sha256: sha(PULL_KEY) },
      { name: 'another office', source: 'OTHER', scopes: ['outbox:pull'], sha256: sha('other-key') },
    ];
    gw = await startTestGateway({ configDir: dir, env: { TONGBAN_API_KEYS: JSON.stringify(keys) } });
  });
  afterAll(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers mapped deliveries under a lease, takes idempotent acknowledgements, and offers unacknowledged ones again', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(gw.url, 'POST', '/api/v1/cases', {
        key: PLATFORM_KEY,
        body: sampleCase({
          serviceCode: 'CIVIL-DIBAO',
          form: { householdSize: 2, monthlyIncomeYuan: '4.35' },
        }),
      });
      ids.push(res.body.deliveries[0].id as string);
    }
    await waitFor(async () => (await deliveriesOf(gw, "status = 'AWAITING_PICKUP'")).length === 3, 'offers');

    const outbox = (limit: number, key = PULL_KEY) =>
      call(gw.url, 'GET', `/api/v1/departments/STREET/outbox?limit=${limit}`, { key });
    expect((await outbox(1, 'other-key')).status).toBe(403);
    expect((await call(gw.url, 'GET', '/api/v1/departments/STREET/outbox')).status).toBe(401);

    const first = await outbox(2);
    expect(first.status).toBe(200);
    expect(first.body.deliveries).toHaveLength(2);
    expect(first.body.deliveries[0].message).toMatchObject({
      monthly_income_fen: 435,
      id_type: '居民身份证',
    });
    const second = await outbox(10);
    expect(second.body.deliveries).toHaveLength(1);
    expect((await outbox(10)).body.deliveries).toHaveLength(0);

    const [a, b] = first.body.deliveries.map((d: { deliveryId: string }) => d.deliveryId);
    const ack = (id: string, body: object) =>
      call(gw.url, 'POST', `/api/v1/departments/STREET/outbox/${id}/ack`, { key: PULL_KEY, body });
    expect((await ack(a, { status: 'ACCEPTED', reference: 'JD-001' })).body).toEqual({
      deliveryId: a,
      status: 'DELIVERED',
    });
    expect((await ack(a, { status: 'ACCEPTED', reference: 'JD-001' })).body).toEqual({
      deliveryId: a,
      status: 'DELIVERED',
    });
    expect((await ack(b, { status: 'REJECTED' })).status).toBe(400);
    expect((await ack(b, { status: 'REJECTED', reason: '非本街道户籍' })).body).toEqual({
      deliveryId: b,
      status: 'REJECTED',
    });
    expect((await ack('00000000-0000-7000-8000-000000000000', { status: 'ACCEPTED' })).status).toBe(404);

    // The third was fetched but never acknowledged: after its lease it is offered again.
    await new Promise((r) => setTimeout(r, 5_500));
    const again = await outbox(10);
    expect(again.body.deliveries.map((d: { deliveryId: string }) => d.deliveryId)).toEqual([
      second.body.deliveries[0].deliveryId,
    ]);
    const rows = await deliveriesOf(gw, `id IN (?, ?)`, [a, b]);
    expect(rows.map((r) => [r.status, r.receipt_ref ?? r.last_error])).toEqual(
      expect.arrayContaining([
        ['DELIVERED', 'JD-001'],
        ['REJECTED', '非本街道户籍'],
      ]),
    );
    expect(ids).toContain(a);
  });
});
