import { createHash } from 'node:crypto';
import { call } from '../support/http';
import { residentId, sampleCase } from '../support/sample-case';
import { PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';

/** Every bad input gets a clear 4xx problem, the process stays up, and nothing is stored. */
describe('case intake rejects bad input', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // Intake only: no workers, so deliveries stay where intake left them.
    gw = await startTestGateway({ env: { TONGBAN_ROLE: 'api' } });
  });
  afterAll(async () => {
    await gw.close();
  });

  const base = sampleCase();
  const applicant = base.applicant as Record<string, unknown>;
  const withApplicant = (patch: Record<string, unknown>) => ({
    ...base,
    applicant: { ...applicant, ...patch },
  });
  const without = (key: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));
  const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

  const invalid: Array<[string, unknown, string, RegExp]> = [
    [
      'wrong check digit',
      withApplicant({ idNumber: '110105194912310021' }),
      '/applicant/idNumber',
      /check digit/,
    ],
    [
      'impossible birth date 19900230',
      withApplicant({ idNumber: residentId('19900230') }),
      '/applicant/idNumber',
      /not a real date/,
    ],
    [
      'birth date in the future',
      withApplicant({ idNumber: residentId('20991231') }),
      '/applicant/idNumber',
      /future/,
    ],
    [
      'ID number too short',
      withApplicant({ idNumber: '11010519491231' }),
      '/applicant/idNumber',
      /18 characters/,
    ],
    ['acceptedAt in the future', { ...base, acceptedAt: inMinutes(30) }, '/acceptedAt', /future/],
    ['acceptedAt without offset', { ...base, acceptedAt: '2026-11-20T09:30:00' }, '/acceptedAt', /offset/],
    [
      'acceptedAt not a real date',
      { ...base, acceptedAt: '2026-02-30T09:30:00+08:00' },
      '/acceptedAt',
      /real date/,
    ],
    ['missing applicant', without('applicant'), '/applicant', /.+/],
    ['missing externalId', without('externalId'), '/externalId', /.+/],
    ['unknown top-level property', { ...base, priority: 'HIGH' }, '/priority', /unknown property/],
    ['unknown nested property', withApplicant({ nickname: 'x' }), '/applicant/nickname', /unknown property/],
    ['wrong type', { ...base, externalId: 12345 }, '/externalId', /string/],
    [
      'wrong enum',
      { ...base, acceptedBy: { operatorId: 'a', stationId: 'b', channel: 'FAX' } },
      '/acceptedBy/channel',
      /.+/,
    ],
    ['unknown county', { ...base, region: { code: '999999001001' } }, '/region/code', /not a known county/],
    ['region not 12 digits', { ...base, region: { code: '5101' } }, '/region/code', /12 digits/],
    ['control character in name', withApplicant({ name: '张\u0000三' }), '/applicant/name', /.+/],
    ['bidi override in name', withApplicant({ name: '张\u202e三' }), '/applicant/name', /.+/],
    ['SQL text as a name', withApplicant({ name: "x'); DROP TABLE cases;--" }), '/applicant/name', /letters/],
    [
      'script text as a name',
      withApplicant({ name: '<script>alert(1)</script>' }),
      '/applicant/name',
      /letters/,
    ],
    ['unpaired surrogate', withApplicant({ name: '张\ud800' }), '/applicant/name', /Unicode/],
    ['form violates its schema', { ...base, form: { lastEmployer: 'x' } }, '/form/unemployedSince', /.+/],
    [
      'attachment with two carriers',
      {
        ...base,
        attachments: [
          {
            type: 'A',
            name: 'a.pdf',
            mediaType: 'application/pdf',
            sha256: 'a'.repeat(64),
            url: 'https://x.example/a',
            licenseRef: 'L1',
          },
        ],
      },
      '/attachments/0',
      /exactly one/,
    ],
    [
      'attachment hash mismatch',
      {
        ...base,
        attachments: [
          {
            type: 'A',
            name: 'a.txt',
            mediaType: 'text/plain',
            sha256: 'b'.repeat(64),
            contentBase64: Buffer.from('hello').toString('base64'),
          },
        ],
      },
      '/attachments/0/sha256',
      /SHA-256/,
    ],
  ];

  it.each(invalid)('400 for %s', async (_name, body, pointer, reason) => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body });
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:tongban:problem:invalid-input', status: 400 });
    const reasons = (res.body.errors as Array<{ pointer: string; reason: string }>)
      .filter((e) => e.pointer === pointer)
      .map((e) => e.reason);
    expect(reasons.some((r) => reason.test(r))).toBe(true);
  });

  it('400 for __proto__ and constructor keys, and prototypes stay clean', async () => {
    for (const key of ['__proto__', 'constructor']) {
      const raw = JSON.stringify(base).replace(/^\{/, `{"${key}":{"polluted":true},`);
      const res = await call(gw.url, 'POST', '/api/v1/cases', {
        key: PLATFORM_KEY,
        rawBody: raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.contentType).toContain('application/problem+json');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('400 for JSON nested 10,000 deep', async () => {
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const raw = JSON.stringify({ ...base, form: 'PLACEHOLDER' }).replace('"PLACEHOLDER"', deep);
    const res = await call(gw.url, 'POST', '/api/v1/cases', {
      key: PLATFORM_KEY,
      rawBody: raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/nesting deeper than/);
  });

  it('400 for malformed JSON', async () => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', {
      key: PLATFORM_KEY,
      rawBody: '{"externalId":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
  });

  it('413 for a 5 MB body', async () => {
    const big = { ...base, form: { blob: 'x'.repeat(5 * 1024 * 1024) } };
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body: big });
    expect(res.status).toBe(413);
    expect(res.contentType).toContain('application/problem+json');
  });

  it('400 for an inline attachment over 2 MB', async () => {
    const content = Buffer.alloc(2 * 1024 * 1024 + 1, 1);
    const body = {
      ...base,
      attachments: [
        {
          type: 'A',
          name: 'big.bin',
          mediaType: 'application/octet-stream',
          sha256: createHash('sha256').update(content).digest('hex'),
          contentBase64: content.toString('base64'),
        },
      ],
    };
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ pointer: '/attachments/0/contentBase64' });
  });

  it('415 for a body that is not JSON', async () => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', {
      key: PLATFORM_KEY,
      rawBody: 'externalId=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.contentType).toContain('application/problem+json');
  });

  it('422 for a service code with no route, naming the code', async () => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', {
      key: PLATFORM_KEY,
      body: { ...base, serviceCode: 'NO-SUCH-SERVICE' },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain('NO-SUCH-SERVICE');
  });

  it('422 when the route serves other regions only', async () => {
    // HEALTH-BIRTH-REG is routed for Sichuan (51…) only; Beijing has no route.
    const res = await call(gw.url, 'POST', '/api/v1/cases', {
      key: PLATFORM_KEY,
      body: {
        ...base,
        serviceCode: 'HEALTH-BIRTH-REG',
        region: { code: '110105001001' },
        form: { childOrder: 1 },
      },
    });
    expect(res.status).toBe(422);
  });

  it('stored nothing for any rejected case, and the process is still up', async () => {
    for (const table of ['cases', 'deliveries', 'case_events', 'idempotency_records', 'outbox']) {
      const [{ n }] = await gw.db.query(`SELECT COUNT(*) AS n FROM ${table}`);
      expect({ table, n: Number(n) }).toEqual({ table, n: 0 });
    }
    expect((await call(gw.url, 'GET', '/health/live')).status).toBe(200);
  });
});
