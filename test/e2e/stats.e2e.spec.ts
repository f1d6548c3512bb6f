import { uuidV7 } from '../../src/common/ids/uuid-v7';
import { call } from '../support/http';
import { insertStatsCase, insertStatsDelivery } from '../support/stats-rows';
import { ADMIN_KEY, READER_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';

/** 09:00 Beijing on Monday 2 March 2026. */
const T0 = Date.parse('2026-03-02T01:00:00Z');
const S = 1000;
const H = 3_600_000;
const D = 86_400_000;
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const WINDOW = 'from=2026-03-01T00:00:00Z&to=2026-03-10T00:00:00Z';
const FAR_FUTURE = new Date('2099-01-01T00:00:00Z');

interface DeliverySeed {
  department: string;
  status: string;
  deliveredAfter?: number;
  finalAfter?: number;
}

interface CaseSeed {
  source: string;
  service: string;
  region: string;
  created: Date;
  status: string;
  completedAfter?: number;
  due: Date | null;
  deliveries: DeliverySeed[];
}

/**
 * A small set with known times, written straight into the database:
 *   c1 HRSS  510104  3-02  completed in 2 h, due +1 d (on time)   delivered in 10 s
 *   c2 HRSS  510104  3-02  completed in 3 d, due +1 d (late)      delivered in 20 s
 *   c3 HRSS  510105  3-02  open, due already past (late)          delivered in 30 s
 *   c4 CIVIL 510104  3-03 00:30 Beijing (still 3-02 in UTC), no due time, dead-lettered
 *   c5 DPF-DIBAO-JOINT (CIVIL + DPF) 510105 3-03, other source, completed in 600 s (on time)
 *   c6 HRSS  510104  3-04  just submitted, due far ahead (not counted for on-time)
 *   c7 outside the window.
 */
const SEEDS: CaseSeed[] = [
  {
    source: 'demo-platform',
    service: 'HRSS-UNEMP-REG',
    region: '510104017003',
    created: at(0),
    status: 'COMPLETED',
    completedAfter: 2 * H,
    due: at(D),
    deliveries: [{ department: 'HRSS', status: 'APPROVED', deliveredAfter: 10 * S, finalAfter: 2 * H }],
  },
  {
    source: 'demo-platform',
    service: 'HRSS-UNEMP-REG',
    region: '510104017003',
    created: at(H),
    status: 'COMPLETED',
    completedAfter: 3 * D,
    due: at(H + D),
    deliveries: [{ department: 'HRSS', status: 'APPROVED', deliveredAfter: 20 * S, finalAfter: 3 * D }],
  },
  {
    source: 'demo-platform',
    service: 'HRSS-UNEMP-REG',
    region: '510105001001',
    created: at(2 * H),
    status: 'PROCESSING',
    due: at(3 * H),
    deliveries: [{ department: 'HRSS', status: 'PROCESSING', deliveredAfter: 30 * S }],
  },
  {
    source: 'demo-platform',
    service: 'CIVIL-DIBAO',
    region: '510104017003',
    created: new Date('2026-03-02T16:30:00Z'),
    status: 'NEEDS_ATTENTION',
    due: null,
    deliveries: [{ department: 'CIVIL', status: 'DEAD_LETTERED' }],
  },
  {
    source: 'other-platform',
    service: 'DPF-DIBAO-JOINT',
    region: '510105001001',
    created: at(D + H),
    status: 'COMPLETED',
    completedAfter: 600 * S,
    due: at(2 * D),
    deliveries: [
      { department: 'CIVIL', status: 'APPROVED', deliveredAfter: 5 * S, finalAfter: 600 * S },
      { department: 'DPF', status: 'REJECTED', deliveredAfter: 40 * S, finalAfter: 500 * S },
    ],
  },
  {
    source: 'demo-platform',
    service: 'HRSS-UNEMP-REG',
    region: '510104017003',
    created: at(2 * D),
    status: 'SUBMITTED',
    due: FAR_FUTURE,
    deliveries: [{ department: 'HRSS', status: 'PENDING' }],
  },
  {
    source: 'demo-platform',
    service: 'HRSS-UNEMP-REG',
    region: '510104017003',
    created: at(-10 * D),
    status: 'COMPLETED',
    completedAfter: H,
    due: at(-9 * D),
    deliveries: [{ department: 'HRSS', status: 'APPROVED', deliveredAfter: 99 * S, finalAfter: H }],
  },
];

const plus = (date: Date, ms: number | undefined) =>
  ms === undefined ? null : new Date(date.getTime() + ms);
const none = { count: 0, medianSeconds: null, p90Seconds: null };

describe('GET /stats', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { TONGBAN_ROLE: 'api' } });
    for (const seed of SEEDS) await insert(gw, seed);
  });
  afterAll(async () => {
    await gw.close();
  });

  const stats = (query: string, key = ADMIN_KEY) => call(gw.url, 'GET', `/api/v1/stats?${query}`, { key });

  it('groups deliveries by department', async () => {
    const res = await stats(`groupBy=department&${WINDOW}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      groupBy: 'department',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-10T00:00:00.000Z',
      timeZone: 'Asia/Shanghai',
      source: null,
      unit: 'delivery',
      generatedAt: expect.any(String),
    });
    expect(res.body.groups).toEqual([
      {
        key: 'CIVIL',
        name: null,
        total: 2,
        byStatus: { APPROVED: 1, DEAD_LETTERED: 1 },
        toDelivery: { count: 1, medianSeconds: 5, p90Seconds: 5 },
        toFinal: { count: 1, medianSeconds: 600, p90Seconds: 600 },
        onTime: { eligible: 1, onTime: 1, rate: 1 },
        deadLettered: 1,
      },
      {
        key: 'DPF',
        name: null,
        total: 1,
        byStatus: { REJECTED: 1 },
        toDelivery: { count: 1, medianSeconds: 40, p90Seconds: 40 },
        toFinal: { count: 1, medianSeconds: 500, p90Seconds: 500 },
        onTime: { eligible: 1, onTime: 1, rate: 1 },
        deadLettered: 0,
      },
      {
        key: 'HRSS',
        name: null,
        total: 4,
        byStatus: { APPROVED: 2, PROCESSING: 1, PENDING: 1 },
        // Nearest rank: median of 10, 20, 30 s is the 2nd, p90 the 3rd.
        toDelivery: { count: 3, medianSeconds: 20, p90Seconds: 30 },
        // 259 200 s (3 days) is kept to 3 significant digits.
        toFinal: { count: 2, medianSeconds: 7200, p90Seconds: 259000 },
        onTime: { eligible: 3, onTime: 1, rate: 0.3333 },
        deadLettered: 0,
      },
    ]);
  });

  it('groups cases by service', async () => {
    const res = await stats(`groupBy=service&${WINDOW}`);
    expect(res.body.unit).toBe('case');
    expect(res.body.groups).toEqual([
      {
        key: 'CIVIL-DIBAO',
        name: null,
        total: 1,
        byStatus: { NEEDS_ATTENTION: 1 },
        toDelivery: none,
        toFinal: none,
        onTime: { eligible: 0, onTime: 0, rate: null },
        deadLettered: 1,
      },
      {
        key: 'DPF-DIBAO-JOINT',
        name: null,
        total: 1,
        byStatus: { COMPLETED: 1 },
        toDelivery: { count: 2, medianSeconds: 5, p90Seconds: 40 },
        toFinal: { count: 1, medianSeconds: 600, p90Seconds: 600 },
        onTime: { eligible: 1, onTime: 1, rate: 1 },
        deadLettered: 0,
      },
      {
        key: 'HRSS-UNEMP-REG',
        name: null,
        total: 4,
        byStatus: { COMPLETED: 2, PROCESSING: 1, SUBMITTED: 1 },
        toDelivery: { count: 3, medianSeconds: 20, p90Seconds: 30 },
        toFinal: { count: 2, medianSeconds: 7200, p90Seconds: 259000 },
        onTime: { eligible: 3, onTime: 1, rate: 0.3333 },
        deadLettered: 0,
      },
    ]);
  });

  it('groups cases by county, with its name', async () => {
    const res = await stats(`groupBy=region&${WINDOW}`);
    expect(res.body.groups).toEqual([
      {
        key: '510104',
        name: '锦江区',
        total: 4,
        byStatus: { COMPLETED: 2, NEEDS_ATTENTION: 1, SUBMITTED: 1 },
        toDelivery: { count: 2, medianSeconds: 10, p90Seconds: 20 },
        toFinal: { count: 2, medianSeconds: 7200, p90Seconds: 259000 },
        onTime: { eligible: 2, onTime: 1, rate: 0.5 },
        deadLettered: 1,
      },
      {
        key: '510105',
        name: '青羊区',
        total: 2,
        byStatus: { PROCESSING: 1, COMPLETED: 1 },
        toDelivery: { count: 3, medianSeconds: 30, p90Seconds: 40 },
        toFinal: { count: 1, medianSeconds: 600, p90Seconds: 600 },
        onTime: { eligible: 2, onTime: 1, rate: 0.5 },
        deadLettered: 0,
      },
    ]);
  });

  it('groups cases by calendar day in Beijing time', async () => {
    const res = await stats(`groupBy=day&${WINDOW}`);
    expect(res.body.groups).toEqual([
      {
        key: '2026-03-02',
        name: null,
        total: 3,
        byStatus: { COMPLETED: 2, PROCESSING: 1 },
        toDelivery: { count: 3, medianSeconds: 20, p90Seconds: 30 },
        toFinal: { count: 2, medianSeconds: 7200, p90Seconds: 259000 },
        onTime: { eligible: 3, onTime: 1, rate: 0.3333 },
        deadLettered: 0,
      },
      {
        // c4 was created at 16:30 UTC on 2 March: 00:30 on 3 March in Beijing.
        key: '2026-03-03',
        name: null,
        total: 2,
        byStatus: { NEEDS_ATTENTION: 1, COMPLETED: 1 },
        toDelivery: { count: 2, medianSeconds: 5, p90Seconds: 40 },
        toFinal: { count: 1, medianSeconds: 600, p90Seconds: 600 },
        onTime: { eligible: 1, onTime: 1, rate: 1 },
        deadLettered: 1,
      },
      {
        key: '2026-03-04',
        name: null,
        total: 1,
        byStatus: { SUBMITTED: 1 },
        toDelivery: none,
        toFinal: none,
        onTime: { eligible: 0, onTime: 0, rate: null },
        deadLettered: 0,
      },
    ]);
  });

  it("shows a cases:read client its own source's cases only", async () => {
    const res = await stats(`groupBy=department&${WINDOW}`, READER_KEY);
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('demo-platform');
    expect(res.body.groups.map((g: { key: string; total: number }) => [g.key, g.total])).toEqual([
      ['CIVIL', 1],
      ['HRSS', 4],
    ]);
    expect(res.body.groups[0]).toMatchObject({
      toDelivery: none,
      onTime: { eligible: 0, rate: null },
      deadLettered: 1,
    });
    expect(res.body.groups[1]).toMatchObject({ toDelivery: { count: 3, medianSeconds: 20, p90Seconds: 30 } });
    const byService = await stats(`groupBy=service&${WINDOW}`, READER_KEY);
    expect(byService.body.groups.map((g: { key: string }) => g.key)).toEqual([
      'CIVIL-DIBAO',
      'HRSS-UNEMP-REG',
    ]);
  });

  it('takes a date as midnight Beijing time and defaults to the last 30 days', async () => {
    // From 3 March 00:00 Beijing (= 2 March 16:00 UTC): c4 onwards.
    const res = await stats('groupBy=day&from=2026-03-03&to=2026-03-04');
    expect(res.body.from).toBe('2026-03-02T16:00:00.000Z');
    expect(res.body.groups.map((g: { key: string; total: number }) => [g.key, g.total])).toEqual([
      ['2026-03-03', 2],
    ]);

    const recent = await insert(gw, { ...SEEDS[5], created: new Date(Date.now() - H) });
    const defaults = await stats('groupBy=service');
    expect(Date.parse(defaults.body.to) - Date.parse(defaults.body.from)).toBe(30 * D);
    expect(defaults.body.groups).toHaveLength(1);
    expect(defaults.body.groups[0]).toMatchObject({ key: 'HRSS-UNEMP-REG', total: 1 });
    await gw.db.query('DELETE FROM deliveries WHERE case_id = ?', [recent]);
    await gw.db.query('DELETE FROM cases WHERE id = ?', [recent]);
  });

  it('keeps groups apart whose codes collide in CRC32 (the integer group key)', async () => {
    // CRC32("plumless") = CRC32("buckeroo"): the query notices and groups by the codes themselves.
    const april = new Date('2026-04-01T02:00:00Z');
    for (const department of ['plumless', 'buckeroo', 'buckeroo']) {
      await insert(gw, {
        ...SEEDS[5],
        created: april,
        deliveries: [{ department, status: 'DELIVERED', deliveredAfter: 7 * S }],
      });
    }
    const res = await stats('groupBy=department&from=2026-04-01&to=2026-04-02');
    expect(res.body.groups.map((g: { key: string; total: number }) => [g.key, g.total])).toEqual([
      ['buckeroo', 2],
      ['plumless', 1],
    ]);
    expect(res.body.groups[0].toDelivery).toEqual({ count: 2, medianSeconds: 7, p90Seconds: 7 });
  });

  it('answers bad parameters with 400 problem+json pointing at each field', async () => {
    const missing = await stats('from=2026-03-01T00:00:00Z');
    expect(missing.status).toBe(400);
    expect(missing.contentType).toContain('application/problem+json');
    expect(missing.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/groupBy']);

    const bad = await stats('groupBy=weekday&from=yesterday&to=2026-13-45');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/groupBy', '/to', '/from']);

    const reversed = await stats('groupBy=day&from=2026-03-05&to=2026-03-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors).toEqual([{ pointer: '/to', reason: 'must be after from' }]);

    expect((await call(gw.url, 'GET', '/api/v1/stats?groupBy=day')).status).toBe(401);
  });
});

async function insert(gw: TestGateway, seed: CaseSeed): Promise<string> {
  const id = uuidV7();
  await insertStatsCase(gw.db, {
    id,
    source: seed.source,
    externalId: `ST-${id}`,
    service: seed.service,
    status: seed.status,
    region: seed.region,
    created: seed.created,
    due: seed.due,
    completed: plus(seed.created, seed.completedAfter),
  });
  for (const d of seed.deliveries) {
    await insertStatsDelivery(gw.db, {
      id: uuidV7(),
      caseId: id,
      caseSource: seed.source,
      caseService: seed.service,
      caseRegion: seed.region,
      department: d.department,
      status: d.status,
      created: seed.created,
      updated: seed.created,
      delivered: plus(seed.created, d.deliveredAfter),
      final: plus(seed.created, d.finalAfter),
      due: seed.due,
    });
  }
  return id;
}
