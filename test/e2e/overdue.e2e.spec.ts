import IORedis from 'ioredis';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRedis } from '../../src/embedded/embedded-redis';
import { uuidV7 } from '../../src/common/ids/uuid-v7';
import { call } from '../support/http';
import { residentId, sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import { PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

/**
 * The overdue scan on a real worker-side loop. CIVIL-DIBAO promises 0 hours in this config, so a
 * case is past due as soon as it is stored; CIVIL itself is unreachable, so nothing completes it.
 * A Redis of its own: the test listens for `case.overdue` on the microservice transport, and
 * pub/sub channels are shared by everyone on a server.
 */
describe('overdue cases', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-overdue-'));
  const redis = new EmbeddedRedis({ dataDir });
  let config: { dir: string; dispose(): void };
  let gw: TestGateway;
  let subscriber: IORedis;
  const events: Array<{ pattern: string; data: Record<string, unknown> }> = [];

  beforeAll(async () => {
    await redis.start();
    config = restDepartmentsConfig([{ code: 'CIVIL', baseUrl: 'http://127.0.0.1:9/' }]);
    const services = join(config.dir, 'services.yaml');
    writeFileSync(
      services,
      readFileSync(services, 'utf8').replace(
        /(code: CIVIL-DIBAO[\s\S]*?)promisedWorkingDays: 20/,
        '$1promisedHours: 0',
      ),
    );
    subscriber = new IORedis(redis.url);
    await subscriber.subscribe('case.overdue');
    subscriber.on('message', (_channel, message: string) => events.push(JSON.parse(message)));
    gw = await startTestGateway({
      configDir: config.dir,
      redisUrl: redis.url,
      env: { TONGBAN_ROLE: 'all', TONGBAN_MICROSERVICE: 'on', TONGBAN_OVERDUE_INTERVAL_MS: '200' },
    });
  });
  afterAll(async () => {
    await gw?.close();
    subscriber?.disconnect();
    await redis.stop();
    config?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const submitDibao = async () => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', {
      key: PLATFORM_KEY,
      body: sampleCase({
        serviceCode: 'CIVIL-DIBAO',
        applicant: { name: '刘芳', idType: 'RESIDENT_ID', idNumber: residentId('19881105') },
        form: { householdSize: 1, monthlyIncomeYuan: '800.00' },
      }),
    });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  interface CaseTimes {
    due_at: Date;
    overdue_at: Date | null;
    completed_at: Date | null;
    accepted_at: Date;
  }
  const caseRow = async (id: string): Promise<CaseTimes> => {
    const rows = await gw.db.query<CaseTimes[]>(
      'SELECT due_at, overdue_at, completed_at, accepted_at FROM cases WHERE id = ?',
      [id],
    );
    return rows[0];
  };
  const overdueEvents = (id: string): Promise<Array<{ detail: string }>> =>
    gw.db.query("SELECT detail FROM case_events WHERE case_id = ? AND type = 'CASE_OVERDUE'", [id]);

  /** A case written straight into the database, as another process would have left it. */
  const insertCase = async (dueAt: Date, completedAt: Date | null) => {
    const id = uuidV7();
    const now = new Date();
    await gw.db.query(
      `INSERT INTO cases (id, source, external_id, schema_version, service_code, status, region_code,
         applicant_id_hash, applicant_masked, key_id, payload, request_hash, accepted_at, due_at,
         completed_at, created_at, updated_at)
       VALUES (?, 'demo-platform', ?, 1, 'CIVIL-DIBAO', ?, '510104017003', 'k1:x', '{}', 'k1', 'x', ?, ?, ?, ?, ?, ?)`,
      [
        id,
        `OD-${id}`,
        completedAt ? 'COMPLETED' : 'PROCESSING',
        'f'.repeat(64),
        now,
        dueAt,
        completedAt,
        now,
        now,
      ],
    );
    return id;
  };

  it('marks an open case past its due time once: overdue_at, CASE_OVERDUE, case.overdue, ?overdue=true', async () => {
    const completed = await insertCase(new Date(Date.now() - 3_600_000), new Date());
    const notYetDue = await insertCase(new Date(Date.now() + 3_600_000), null);
    const id = await submitDibao();

    // The promise (0 hours) gave it a due time at acceptance, on the case and on its delivery.
    const row = await caseRow(id);
    expect(row.due_at).toEqual(row.accepted_at);
    const [delivery] = await gw.db.query('SELECT due_at FROM deliveries WHERE case_id = ?', [id]);
    expect(delivery.due_at).toEqual(row.due_at);

    await waitFor(async () => (await caseRow(id)).overdue_at !== null, 'the case to be marked overdue');
    expect(await overdueEvents(id)).toHaveLength(1);
    const [{ detail }] = await overdueEvents(id);
    expect(JSON.parse(detail)).toMatchObject({ dueAt: row.due_at.toISOString() });

    // The pass that marked it saw the others too: the completed one and the one not yet due stay unmarked.
    expect((await caseRow(completed)).overdue_at).toBeNull();
    expect((await caseRow(notYetDue)).overdue_at).toBeNull();
    expect(await overdueEvents(completed)).toEqual([]);

    const detailView = await call(gw.url, 'GET', `/api/v1/cases/${id}`, { key: PLATFORM_KEY });
    expect(detailView.body.overdueAt).toEqual(expect.any(String));
    expect(detailView.body.timeline.map((e: { type: string }) => e.type)).toContain('CASE_OVERDUE');

    await waitFor(() => events.some((e) => e.data.caseId === id), 'the case.overdue event');
    expect(events.find((e) => e.data.caseId === id)).toMatchObject({
      pattern: 'case.overdue',
      data: {
        caseId: id,
        source: 'demo-platform',
        serviceCode: 'CIVIL-DIBAO',
        dueAt: row.due_at.toISOString(),
      },
    });

    const listed = await call(gw.url, 'GET', '/api/v1/cases?overdue=true', { key: PLATFORM_KEY });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(listed.body.items[0].overdueAt).toEqual(expect.any(String));

    // Later passes (proved by a newer case getting marked) do not mark it again.
    const later = await submitDibao();
    await waitFor(async () => (await caseRow(later)).overdue_at !== null, 'the newer case to be marked');
    expect(await overdueEvents(id)).toHaveLength(1);
    expect(events.filter((e) => e.data.caseId === id)).toHaveLength(1);
  });

  it('leaves a case out of ?overdue=true once it is completed', async () => {
    const id = await submitDibao();
    await waitFor(async () => (await caseRow(id)).overdue_at !== null, 'the case to be marked overdue');
    await gw.db.query("UPDATE cases SET status = 'COMPLETED', completed_at = ? WHERE id = ?", [
      new Date(),
      id,
    ]);
    const listed = await call(gw.url, 'GET', '/api/v1/cases?overdue=true', { key: PLATFORM_KEY });
    expect(listed.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    const bad = await call(gw.url, 'GET', '/api/v1/cases?overdue=yes', { key: PLATFORM_KEY });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ pointer: '/overdue', reason: 'must be true or false' }]);
  });
});
