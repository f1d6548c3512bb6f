import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { uuidV7 } from '../../src/common/ids/uuid-v7';
import type { ApiClient } from '../../src/gateway/auth/api-client';
import { StatsRollupReader } from '../../src/insights/stats/rollup/stats-rollup-reader';
import { StatsRollupRefresher } from '../../src/insights/stats/rollup/stats-rollup-refresher';
import { beijingDay, dayLabel, dayStart } from '../../src/insights/stats/stats-days';
import { parseStatsQuery, STATS_GROUPINGS, type StatsParams } from '../../src/insights/stats/stats-query';
import { StatsStore } from '../../src/insights/stats/stats-store';
import { StatsService } from '../../src/insights/stats/stats.service';
import { createDataSource, MIGRATIONS } from '../../src/persistence/data-source';
import { StatsRollups1764374400000 } from '../../src/persistence/migrations/1764374400000-stats-rollups';
import { call } from '../support/http';
import { insertStatsCase, insertStatsDelivery } from '../support/stats-rows';
import { waitFor } from '../support/wait-for';
import { ADMIN_KEY, startTestGateway, withDatabase, type TestGateway } from '../support/test-gateway';

const S = 1000;
const H = 3_600_000;
const D = 86_400_000;
const SOURCES = ['demo-platform', 'other-platform'];
const SERVICES = ['HRSS-UNEMP-REG', 'CIVIL-DIBAO', 'DPF-DIBAO-JOINT'];
const REGIONS = ['510104017003', '510105001001', '510106002004'];
const DEPARTMENTS = ['HRSS', 'CIVIL', 'DPF'];
const OPEN = ['PENDING', 'DELIVERED', 'PROCESSING'];

const admin: ApiClient = { name: 'admin', source: 'demo-platform', scopes: new Set(['admin', 'cases:read']) };
const reader = (source: string): ApiClient => ({ name: source, source, scopes: new Set(['cases:read']) });
const CLIENTS = [admin, reader(SOURCES[0]), reader(SOURCES[1])];

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The roll-up path against the live path on the same data, at the same `now`: every grouping, for
 * admin and per source, over ranges of whole rolled-up days, partial edge days and today's live
 * rows; then again after cases change status and after an open case's due time passes.
 */
describe('GET /stats from daily roll-ups', () => {
  let gw: TestGateway;
  let rolled: StatsService;
  let live: StatsService;
  let refresher: StatsRollupRefresher;
  let plans: StatsRollupReader;
  const now = () => new Date();
  const today = beijingDay(new Date());
  const rangesOf = (at: Date): StatsParams[] => [
    { from: dayLabel(today - 20), to: at.toISOString() }, // rolled-up days and today's live rows
    {
      from: new Date(at.getTime() - 7.5 * D).toISOString(),
      to: new Date(at.getTime() - 2.3 * D).toISOString(),
    },
    { from: dayLabel(today - 12), to: dayLabel(today - 3) }, // whole days only
    {}, // the default 30 days
  ];

  beforeAll(async () => {
    const databaseName = `tb_${randomBytes(6).toString('hex')}`;
    await migrate(databaseName);
    gw = await startTestGateway({ databaseName, env: { TONGBAN_ROLE: 'api' } });
    const store = gw.app.get(StatsStore);
    live = new StatsService(store, gw.runtime.regions);
    rolled = gw.app.get(StatsService);
    refresher = gw.app.get(StatsRollupRefresher);
    plans = gw.app.get(StatsRollupReader);
    const next = random(42);
    for (let i = 0; i < 400; i++) await insertCase(gw, next, today);
  });
  afterAll(async () => {
    await gw.close();
  });

  async function expectSameAnswers(at = now()): Promise<void> {
    for (const params of rangesOf(at))
      for (const client of CLIENTS)
        for (const groupBy of STATS_GROUPINGS) {
          const q = parseStatsQuery({ groupBy, ...params }, client, at);
          const [fromRollups, fromLive] = await Promise.all([rolled.report(q), live.report(q)]);
          const shape = { groupBy, params, source: q.source };
          expect({ shape, report: fromRollups }).toEqual({ shape, report: fromLive });
        }
  }

  it('answers as the live query does before, while and after the days are rolled up', async () => {
    await expectSameAnswers();
    expect(await refresher.runOnce()).toBeGreaterThan(15);
    const at = now();
    const plan = await plans.plan(parseStatsQuery({ groupBy: 'service', ...rangesOf(at)[0] }, admin, at));
    expect(plan.days.length).toBeGreaterThan(15);
    expect(plan.live.map((r) => r.from)).toContainEqual(dayStart(today - 1)); // yesterday and today: live
    await expectSameAnswers(at);

    const response = await call(gw.url, 'GET', `/api/v1/stats?groupBy=region&from=${dayLabel(today - 20)}`, {
      key: ADMIN_KEY,
    });
    expect(response.status).toBe(200);
    expect(response.body.groups.length).toBe(3);
  });

  it('rebuilds exactly the days whose cases changed status after the roll-up', async () => {
    await refresher.runOnce();
    const changed = await gw.db.query<Array<{ id: string; case_id: string; created_at: Date }>>(
      `SELECT id, case_id, created_at FROM deliveries WHERE status IN (?) AND created_at < ? ORDER BY id LIMIT 6`,
      [OPEN, dayStart(today - 2)],
    );
    const changedAt = new Date();
    for (const [i, d] of changed.entries()) {
      const status = i % 3 === 2 ? 'DEAD_LETTERED' : 'APPROVED';
      const final = status === 'APPROVED' ? changedAt : null;
      await gw.db.query(
        `UPDATE deliveries SET status = ?, final_at = ?, delivered_at = IFNULL(delivered_at, ?), updated_at = ?
         WHERE id = ?`,
        [status, final, changedAt, changedAt, d.id],
      );
      await gw.db.query('UPDATE cases SET status = ?, completed_at = ?, updated_at = ? WHERE id = ?', [
        status === 'APPROVED' ? 'COMPLETED' : 'NEEDS_ATTENTION',
        final,
        changedAt,
        d.case_id,
      ]);
    }
    const days = new Set(changed.map((d) => beijingDay(d.created_at)));
    expect(await refresher.runOnce()).toBe(days.size);
    await expectSameAnswers();
  });

  it("reads a day live once an open case's due time has passed since its roll-up", async () => {
    const day = today - 5;
    const dueSoon = new Date(Date.now() + 1500);
    const next = random(7);
    await insertCase(gw, next, today, { day, dueAt: dueSoon, open: true });
    await refresher.runOnce(); // sees the new delivery as a change and rebuilds the day
    const before = now();
    const q = (at: Date) =>
      parseStatsQuery({ groupBy: 'day', from: dayLabel(day), to: dayLabel(day + 1) }, admin, at);
    expect((await plans.plan(q(before))).days).toEqual([day]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = now();
    expect((await plans.plan(q(after))).days).toEqual([]);
    await expectSameAnswers(after);
    // The day again (and days changed in the last half minute, looked at twice on purpose).
    expect(await refresher.runOnce()).toBeGreaterThanOrEqual(1);
    expect((await plans.plan(q(now()))).days).toEqual([day]);
  });
});

describe('the roll-up refresher on a worker process', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    delete process.env.TONGBAN_STATS_REFRESH_INTERVAL_MS;
    await gw?.close();
  });

  it('builds the settled days in the background, start-up not waiting for it', async () => {
    const databaseName = `tb_${randomBytes(6).toString('hex')}`;
    await migrate(databaseName);
    // Read when the gateway's providers are made, as in production from the environment.
    process.env.TONGBAN_STATS_REFRESH_INTERVAL_MS = '1000';
    gw = await startTestGateway({ databaseName, env: { TONGBAN_ROLE: 'worker' } });
    const today = beijingDay(new Date());
    const next = random(3);
    for (let i = 0; i < 30; i++) await insertCase(gw, next, today, { day: today - 2 - (i % 5), open: false });
    const rolledDays = async () =>
      Number((await gw!.db.query<Array<{ n: string }>>('SELECT COUNT(*) AS n FROM stats_rollup_days'))[0].n);
    await waitFor(async () => (await rolledDays()) === 5, 'the five settled days rolled up');
  });
});

/** A fresh database with every migration, the roll-up tables included (whether or not listed yet). */
async function migrate(databaseName: string): Promise<void> {
  const serverUrl = process.env.TONGBAN_TEST_DATABASE_URL!;
  const connection = await createConnection(serverUrl);
  await connection.query(`CREATE DATABASE IF NOT EXISTS \`${databaseName}\` CHARACTER SET utf8mb4`);
  await connection.end();
  const db = createDataSource(withDatabase(serverUrl, databaseName));
  const listed = MIGRATIONS.some((m) => m === StatsRollups1764374400000);
  db.setOptions({ migrations: listed ? MIGRATIONS : [...MIGRATIONS, StatsRollups1764374400000] });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  await db.destroy();
}

interface CaseShape {
  day?: number;
  dueAt?: Date | null;
  open?: boolean;
}

/**
 * One case with one or two deliveries, on a day of the last 20 (or today), in office hours. Times
 * to receipt and to the final result spread over seconds to days, so the 3-digit buckets matter.
 */
async function insertCase(
  gw: TestGateway,
  next: () => number,
  today: number,
  shape: CaseShape = {},
): Promise<void> {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const day = shape.day ?? today - Math.floor(next() * 21);
  const created = new Date(dayStart(day).getTime() + (1 + next() * 22) * H);
  const open = shape.open ?? next() < 0.3;
  const dueAt =
    shape.dueAt !== undefined
      ? shape.dueAt
      : next() < 0.15
        ? null
        : new Date(created.getTime() + (next() < 0.5 ? 2 * D : 30 * D) * next());
  const id = uuidV7(created.getTime());
  const completedAt = open ? null : new Date(created.getTime() + Math.exp(next() * 13) * S);
  const status = open ? pick(['SUBMITTED', 'PROCESSING', 'NEEDS_ATTENTION']) : 'COMPLETED';
  const source = pick(SOURCES);
  const service = pick(SERVICES);
  const region = pick(REGIONS);
  await insertStatsCase(gw.db, {
    id,
    source,
    externalId: `RU-${id}`,
    service,
    status,
    region,
    created,
    due: dueAt,
    completed: completedAt,
  });
  const departments = next() < 0.3 ? DEPARTMENTS.slice(1) : [pick(DEPARTMENTS)];
  for (const department of departments) {
    const deliveredAt = open && next() < 0.4 ? null : new Date(created.getTime() + Math.exp(next() * 8) * S);
    const finalAt = open ? null : completedAt;
    const deliveryStatus = open
      ? deliveredAt
        ? pick(['DELIVERED', 'PROCESSING'])
        : pick(['PENDING', 'DEAD_LETTERED'])
      : pick(['APPROVED', 'APPROVED', 'REJECTED']);
    // A few deliveries predate the copy of their case's attributes (NULL): admin counts them.
    const copied = next() > 0.03;
    await insertStatsDelivery(gw.db, {
      id: uuidV7(created.getTime()),
      caseId: id,
      caseSource: copied ? source : null,
      caseService: copied ? service : null,
      caseRegion: copied ? region : null,
      department,
      status: deliveryStatus,
      created,
      updated: shape.open ? new Date() : created,
      delivered: deliveredAt,
      final: finalAt,
      due: dueAt,
    });
  }
}
