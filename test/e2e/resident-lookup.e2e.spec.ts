import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { HolidayCalendar } from '../../src/delivery/calendar/holiday-calendar';
import { dueTime } from '../../src/insights/deadlines/due-time';
import { call } from '../support/http';
import { residentId, sampleCase } from '../support/sample-case';
import {
  ADMIN_KEY,
  EXAMPLE_CONFIG_DIR,
  PLATFORM_KEY,
  READER_KEY,
  READER_KEY_ENV,
  startTestGateway,
  type TestGateway,
} from '../support/test-gateway';

const OTHER_KEY = 'tb-test-other-platform-key';
/** The usual reader, plus a reader of another platform (source), given the way operators add keys. */
const KEYS_ENV = JSON.stringify([
  ...(JSON.parse(READER_KEY_ENV) as unknown[]),
  {
    name: 'other platform reader',
    source: 'other-platform',
    scopes: ['cases:read'],
    sha256: createHash('sha256').update(OTHER_KEY).digest('hex'),
  },
]);

interface AuditRow {
  actor: string;
  action: string;
  subject: string;
  detail: string;
}

describe('resident lookup: masked answers, every read audited', () => {
  let gw: TestGateway;
  const idNumber = residentId('19760315');
  const caseIds: string[] = [];
  let civilCaseId: string;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { TONGBAN_ROLE: 'api', TONGBAN_API_KEYS: KEYS_ENV } });
    const applicant = { name: '张三', idType: 'RESIDENT_ID', idNumber, phone: '+86 139-1234-5678' };
    for (let i = 0; i < 2; i++) {
      const res = await call(gw.url, 'POST', '/api/v1/cases', {
        key: PLATFORM_KEY,
        body: sampleCase({ applicant }),
      });
      expect(res.status).toBe(202);
      caseIds.push(res.body.id);
    }
    const civil = await call(gw.url, 'POST', '/api/v1/cases', {
      key: PLATFORM_KEY,
      body: sampleCase({
        serviceCode: 'CIVIL-DIBAO',
        applicant: { name: '刘芳', idType: 'RESIDENT_ID', idNumber: residentId('19881105') },
        form: {
          householdSize: 2,
          monthlyIncomeYuan: '1234.35',
          members: [{ relation: 'SPOUSE', name: '陈伟', idNumber: '510104198503122315' }],
          note: '联系电话 13912345678',
        },
      }),
    });
    expect(civil.status).toBe(202);
    civilCaseId = civil.body.id;
  });
  afterAll(async () => {
    await gw.close();
  });

  const auditRows = async (): Promise<AuditRow[]> =>
    gw.db.query(
      "SELECT actor, action, subject, detail FROM audit_log WHERE action = 'personal_data.read' ORDER BY id",
    );
  const clearAudit = () => gw.db.query('DELETE FROM audit_log');

  it('answers a search by ID number with masked data and writes one audit row per case returned', async () => {
    await clearAudit();
    const res = await call(gw.url, 'GET', `/api/v1/cases?applicantIdNumber=${idNumber}`, {
      key: READER_KEY,
      // A purpose may be non-ASCII (percent-encoded in a header) and must not smuggle an ID number in.
      headers: { 'x-purpose': encodeURIComponent(`核对失业登记 ${idNumber}`) },
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: { id: string }) => c.id).sort()).toEqual([...caseIds].sort());
    for (const item of res.body.items) {
      expect(item.applicant).toEqual({
        name: '张*',
        idNumber: `${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`,
        phone: '139****5678',
      });
    }
    expect(JSON.stringify(res.body)).not.toContain(idNumber);

    const rows = await auditRows();
    expect(rows.map((r) => r.subject).sort()).toEqual([...caseIds].sort());
    const [stored] = await gw.db.query('SELECT applicant_id_hash FROM cases WHERE id = ?', [caseIds[0]]);
    for (const row of rows) {
      expect(row.actor).toBe('reader');
      expect(JSON.parse(row.detail)).toEqual({
        source: 'demo-platform',
        scope: 'cases:read',
        via: 'case.search',
        purpose: `核对失业登记 ${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`,
        lookup: {
          applicantIdNumber: `${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`,
          applicantIdHash: stored.applicant_id_hash,
        },
        resultCount: 2,
      });
      // The audit log is no store of personal data: no ID number, name or phone in clear.
      for (const secret of [idNumber, '张三', '13912345678'])
        expect(JSON.stringify(row)).not.toContain(secret);
    }
  });

  it('audits a detail read once, with the purpose parameter, and masks the people in the form', async () => {
    await clearAudit();
    const res = await call(
      gw.url,
      'GET',
      `/api/v1/cases/${civilCaseId}?purpose=${encodeURIComponent('复核')}`,
      {
        key: PLATFORM_KEY,
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.case.applicant).toMatchObject({
      name: '刘*',
      idNumber: expect.stringMatching(/^5101\*{10}\d{3}[\dX]$/),
    });
    expect(res.body.case.form).toEqual({
      householdSize: 2,
      monthlyIncomeYuan: '1234.35',
      members: [{ relation: 'SPOUSE', name: '陈*', idNumber: '5101**********2315' }],
      note: '联系电话 139****5678',
    });
    expect(res.body.dueAt).toEqual(expect.any(String));

    const rows = await auditRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'demo community platform', subject: civilCaseId });
    expect(JSON.parse(rows[0].detail)).toEqual({
      source: 'demo-platform',
      scope: 'cases:read',
      via: 'case.detail',
      purpose: '复核',
    });
  });

  it('shows a client of another source nothing, and audits nothing for it', async () => {
    await clearAudit();
    const search = await call(gw.url, 'GET', `/api/v1/cases?applicantIdNumber=${idNumber}`, {
      key: OTHER_KEY,
      headers: { 'x-purpose': 'curious' },
    });
    expect(search.status).toBe(200);
    expect(search.body.items).toEqual([]);
    const detail = await call(gw.url, 'GET', `/api/v1/cases/${caseIds[0]}`, { key: OTHER_KEY });
    expect(detail.status).toBe(404);
    expect(await auditRows()).toEqual([]);
  });

  it('audits exactly the page a search returns, not the case it reads ahead for the cursor', async () => {
    await clearAudit();
    const first = await call(gw.url, 'GET', `/api/v1/cases?applicantIdNumber=${idNumber}&limit=1`, {
      key: READER_KEY,
    });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    let rows = await auditRows();
    expect(rows.map((r) => r.subject)).toEqual([first.body.items[0].id]);
    expect(JSON.parse(rows[0].detail)).toMatchObject({ via: 'case.search', resultCount: 1 });

    await clearAudit();
    const next = await call(
      gw.url,
      'GET',
      `/api/v1/cases?applicantIdNumber=${idNumber}&limit=1&cursor=${first.body.nextCursor}`,
      { key: READER_KEY },
    );
    expect(next.body.items).toHaveLength(1);
    expect(next.body.nextCursor).toBeNull();
    rows = await auditRows();
    expect(rows.map((r) => r.subject)).toEqual([next.body.items[0].id]);
    expect([first.body.items[0].id, next.body.items[0].id].sort()).toEqual([...caseIds].sort());
  });

  it('discloses nothing when the read cannot be audited', async () => {
    await clearAudit();
    // A real failure of the audit INSERT, raised by the server itself.
    await gw.db.query(
      "CREATE TRIGGER tb_test_audit_down BEFORE INSERT ON audit_log FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit log unavailable'",
    );
    try {
      const detail = await call(gw.url, 'GET', `/api/v1/cases/${civilCaseId}`, { key: PLATFORM_KEY });
      const search = await call(gw.url, 'GET', `/api/v1/cases?applicantIdNumber=${idNumber}`, {
        key: READER_KEY,
      });
      for (const res of [detail, search]) {
        expect(res.status).toBe(500);
        expect(res.contentType).toContain('application/problem+json');
        const body = JSON.stringify(res.body);
        for (const disclosed of [civilCaseId, ...caseIds, '刘*', '张*', idNumber.slice(-4)])
          expect(body).not.toContain(disclosed);
      }
    } finally {
      await gw.db.query('DROP TRIGGER tb_test_audit_down');
    }
    expect(await auditRows()).toEqual([]);
    // And the same reads work again once the audit log does.
    expect((await call(gw.url, 'GET', `/api/v1/cases/${civilCaseId}`, { key: PLATFORM_KEY })).status).toBe(
      200,
    );
    expect(await auditRows()).toHaveLength(1);
  });

  it("records the admin scope when an operator reads another platform's case", async () => {
    await clearAudit();
    const res = await call(gw.url, 'GET', `/api/v1/cases/${caseIds[1]}`, {
      key: ADMIN_KEY,
      headers: { 'x-purpose': 'complaint #42' },
    });
    expect(res.status).toBe(200);
    const rows = await auditRows();
    expect(rows).toHaveLength(1);
    expect(rows[0].actor).toBe('demo integrator');
    expect(JSON.parse(rows[0].detail)).toMatchObject({
      source: 'ops',
      scope: 'admin',
      purpose: 'complaint #42',
    });
  });

  it("stamps each case and its deliveries with the due time of the service's promise", async () => {
    // HRSS-UNEMP-REG promises 5 working days (config/services.yaml), on the mainland calendar.
    const calendar = HolidayCalendar.load(join(EXAMPLE_CONFIG_DIR, 'calendars', 'cn-mainland.yaml'));
    const [row] = await gw.db.query('SELECT accepted_at, due_at FROM cases WHERE id = ?', [caseIds[0]]);
    expect(row.due_at).toEqual(dueTime(row.accepted_at, { workingDays: 5 }, calendar, 'Asia/Shanghai'));
    expect(row.due_at.getTime() - row.accepted_at.getTime()).toBeGreaterThanOrEqual(5 * 86_400_000);
    const deliveries = await gw.db.query('SELECT due_at FROM deliveries WHERE case_id = ?', [caseIds[0]]);
    expect(deliveries.map((d: { due_at: Date }) => d.due_at)).toEqual([row.due_at]);
  });

  it('lets an admin read the audit log by case, actor and time; others may not', async () => {
    await clearAudit();
    const before = new Date(Date.now() - 1000).toISOString();
    await call(gw.url, 'GET', `/api/v1/cases/${caseIds[0]}`, { key: READER_KEY });
    await call(gw.url, 'GET', `/api/v1/cases/${caseIds[1]}`, { key: PLATFORM_KEY });
    await call(gw.url, 'GET', `/api/v1/cases?applicantIdNumber=${idNumber}`, { key: READER_KEY });

    const byCase = await call(gw.url, 'GET', `/api/v1/audit?caseId=${caseIds[0]}`, { key: ADMIN_KEY });
    expect(byCase.status).toBe(200);
    expect(byCase.body.items.map((e: { detail: { via: string } }) => e.detail.via)).toEqual([
      'case.search',
      'case.detail',
    ]);
    expect(byCase.body.items[0]).toMatchObject({
      actor: 'reader',
      action: 'personal_data.read',
      subject: caseIds[0],
      at: expect.any(String),
    });

    const byActor = await call(
      gw.url,
      'GET',
      `/api/v1/audit?actor=${encodeURIComponent('demo community platform')}`,
      {
        key: ADMIN_KEY,
      },
    );
    expect(byActor.body.items.map((e: { subject: string }) => e.subject)).toEqual([caseIds[1]]);

    const paged = await call(gw.url, 'GET', `/api/v1/audit?actor=reader&from=${before}&limit=2`, {
      key: ADMIN_KEY,
    });
    expect(paged.body.items).toHaveLength(2);
    const rest = await call(
      gw.url,
      'GET',
      `/api/v1/audit?actor=reader&from=${before}&limit=2&cursor=${paged.body.nextCursor}`,
      {
        key: ADMIN_KEY,
      },
    );
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.nextCursor).toBeNull();

    const future = await call(
      gw.url,
      'GET',
      `/api/v1/audit?from=${new Date(Date.now() + 60_000).toISOString()}`,
      {
        key: ADMIN_KEY,
      },
    );
    expect(future.body.items).toEqual([]);

    const bad = await call(gw.url, 'GET', '/api/v1/audit?caseId=nope&from=yesterday', {
      key: ADMIN_KEY,
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/caseId', '/from']);

    expect((await call(gw.url, 'GET', '/api/v1/audit', { key: READER_KEY })).status).toBe(403);
  });
});
