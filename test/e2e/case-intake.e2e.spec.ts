import { Queue } from 'bullmq';
import { call } from '../support/http';
import { residentId, sampleCase } from '../support/sample-case';
import { PLATFORM_KEY, READER_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

describe('case intake over HTTP', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // Intake only: no workers, so deliveries stay where intake left them.
    gw = await startTestGateway({ env: { TONGBAN_ROLE: 'api' } });
  });
  afterAll(async () => {
    await gw.close();
  });

  const submit = (body: unknown, headers: Record<string, string> = {}) =>
    call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body, headers });

  it('accepts a valid case: 202, stored in MySQL, one job per department on its Redis queue', async () => {
    const body = sampleCase();
    const res = await submit(body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ externalId: body.externalId, status: 'SUBMITTED' });
    expect(res.body.deliveries).toEqual([{ id: expect.any(String), department: 'HRSS', status: 'PENDING' }]);

    const [row] = await gw.db.query('SELECT * FROM cases WHERE id = ?', [res.body.id]);
    expect(row).toMatchObject({
      source: 'demo-platform',
      service_code: 'HRSS-UNEMP-REG',
      status: 'SUBMITTED',
    });
    const deliveries = await gw.db.query('SELECT * FROM deliveries WHERE case_id = ?', [res.body.id]);
    expect(deliveries).toHaveLength(1);

    const queue = new Queue('delivery.HRSS', { connection: gw.redis, prefix: gw.runtime.env.queuePrefix });
    const job = await queue.getJob(res.body.deliveries[0].id);
    expect(job?.data).toEqual({ deliveryId: res.body.deliveries[0].id });
    await queue.close();
    // The job reached Redis, so the outbox entry goes (in the background, after the answer).
    await waitFor(
      async () =>
        (
          await gw.db.query<unknown[]>('SELECT * FROM outbox WHERE delivery_id = ?', [
            res.body.deliveries[0].id,
          ])
        ).length === 0,
      'the outbox entry removed',
    );
  });

  it('fans a parallel route out to every department', async () => {
    const res = await submit(sampleCase({ serviceCode: 'DPF-DIBAO-JOINT', form: {} }));
    expect(res.status).toBe(202);
    expect(res.body.deliveries.map((d: { department: string }) => d.department).sort()).toEqual([
      'CIVIL',
      'DPF',
    ]);
  });

  it('keeps personal data encrypted at rest and finds the case by ID number', async () => {
    const idNumber = residentId('19851120');
    const body = sampleCase({
      applicant: { name: '阿依古丽·买买提', idType: 'RESIDENT_ID', idNumber, phone: '13912345678' },
    });
    const res = await submit(body);
    expect(res.status).toBe(202);
    const [row] = await gw.db.query('SELECT * FROM cases WHERE id = ?', [res.body.id]);
    const stored = JSON.stringify(row);
    for (const secret of [idNumber, '阿依古丽', '13912345678']) expect(stored).not.toContain(secret);

    const found = await call(gw.url, 'GET', `/api/v1/cases?applicantIdNumber=${idNumber}`, {
      key: PLATFORM_KEY,
    });
    expect(found.status).toBe(200);
    expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([res.body.id]);
    expect(found.body.items[0].applicant).toEqual({
      name: '阿******',
      idNumber: '5101**********' + idNumber.slice(-4),
      phone: '139****5678',
    });
  });

  it('returns the case with deliveries and timeline, personal data masked', async () => {
    const body = sampleCase();
    const created = await submit(body);
    const res = await call(gw.url, 'GET', `/api/v1/cases/${created.body.id}`, { key: PLATFORM_KEY });
    expect(res.status).toBe(200);
    expect(res.body.case.externalId).toBe(body.externalId);
    expect(res.body.case.form).toEqual(body.form);
    expect(res.body.case.applicant).toMatchObject({ name: '张*', idNumber: '1101**********002X' });
    expect(res.body.timeline.map((e: { type: string }) => e.type)).toEqual([
      'CASE_RECEIVED',
      'DELIVERY_ROUTED',
    ]);
    expect(res.body.deliveries[0]).toMatchObject({ department: 'HRSS', status: 'PENDING', attempts: 0 });
  });

  it('is idempotent by Idempotency-Key and by (source, externalId)', async () => {
    const body = sampleCase();
    const first = await submit(body, { 'idempotency-key': `k-${body.externalId as string}` });
    const again = await submit(body, { 'idempotency-key': `k-${body.externalId as string}` });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    const changed = await submit(
      { ...body, form: { ...(body.form as object), reason: 'DISMISSED' } },
      {
        'idempotency-key': `k-${body.externalId as string}`,
      },
    );
    expect(changed.status).toBe(409);
    expect(changed.contentType).toContain('application/problem+json');

    const sameExternalNoKey = await submit(body);
    expect(sameExternalNoKey.status).toBe(200);
    expect(sameExternalNoKey.body.id).toBe(first.body.id);
    const [{ n }] = await gw.db.query('SELECT COUNT(*) AS n FROM cases WHERE external_id = ?', [
      body.externalId,
    ]);
    expect(Number(n)).toBe(1);
  });

  it('stores script and SQL text in free-text fields verbatim and executes none of it', async () => {
    const hostile = "Robert'); DROP TABLE cases;-- <script>alert(1)</script>";
    const body = sampleCase({
      attachments: [
        {
          type: 'OTHER',
          name: hostile,
          mediaType: 'text/plain',
          sha256: 'a'.repeat(64),
          licenseRef: hostile,
        },
      ],
    });
    const created = await submit(body);
    expect(created.status).toBe(202);
    const res = await call(gw.url, 'GET', `/api/v1/cases/${created.body.id}`, { key: PLATFORM_KEY });
    expect(res.body.case.attachments[0].name).toBe(hostile);
    expect(res.body.case.attachments[0].licenseRef).toBe(hostile);
    const [{ n }] = await gw.db.query('SELECT COUNT(*) AS n FROM cases WHERE id = ?', [created.body.id]);
    expect(Number(n)).toBe(1);
  });

  it('answers 401 without a key, 403 without the scope', async () => {
    expect((await call(gw.url, 'POST', '/api/v1/cases', { body: sampleCase() })).status).toBe(401);
    expect((await call(gw.url, 'POST', '/api/v1/cases', { key: 'nope', body: sampleCase() })).status).toBe(
      401,
    );
    expect((await call(gw.url, 'GET', '/api/v1/cases', { key: READER_KEY })).status).toBe(200);
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: READER_KEY, body: sampleCase() });
    expect(res.status).toBe(403);
    expect(res.contentType).toContain('application/problem+json');
  });

  it('serves liveness, readiness and the OpenAPI document', async () => {
    expect((await call(gw.url, 'GET', '/health/live')).status).toBe(200);
    const ready = await call(gw.url, 'GET', '/health/ready');
    expect(ready.body).toEqual({ status: 'ok', checks: { mysql: 'ok', redis: 'ok', migrations: 'ok' } });
    const docs = await call(gw.url, 'GET', '/api/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toContain('/api/v1/cases');
    expect(docs.body.components.schemas.CanonicalCaseDto.required).toContain('applicant');
  });
});
