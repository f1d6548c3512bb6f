/**
 * Seeds a database with cases and deliveries in plausible distributions (a year of a city's
 * community service windows), then times the resident lookup and GET /stats through the gateway's
 * own code (CaseQueryService, StatsService) on it.
 *
 *   npx ts-node -T bench/seed-cases.ts --url mysql://root@127.0.0.1:3307/tb_bench [--cases 1000000]
 *       [--days 365] [--measure-only] [--no-measure]
 *
 * The database is created and migrated if needed; seeding refuses a database that has cases.
 * Personal data is synthetic; ID numbers are reproducible from the person's index, so a later
 * --measure-only run looks up the same people.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { PersonalDataCipher } from '../src/common/crypto/personal-data-cipher';
import { uuidV7 } from '../src/common/ids/uuid-v7';
import { maskIdNumber, maskName, maskPhone } from '../src/common/masking';
import { CaseQueryService } from '../src/gateway/cases/case-query.service';
import type { ApiClient } from '../src/gateway/auth/api-client';
import { residentIdCheckDigit } from '../src/gateway/validation/resident-id';
import { CaseDeadlines } from '../src/insights/deadlines/case-deadlines';
import { parseStatsQuery, STATS_GROUPINGS } from '../src/insights/stats/stats-query';
import { StatsStore } from '../src/insights/stats/stats-store';
import { StatsService } from '../src/insights/stats/stats.service';
import { rollUpCaseStatus } from '../src/lifecycle/case-status-rollup';
import { FINAL_DELIVERY_STATUSES, DeliveryStatus } from '../src/lifecycle/delivery-status';
import { CaseReadStore } from '../src/persistence/case-read-store';
import { createDataSource } from '../src/persistence/data-source';
import { RegionTable } from '../src/regions/region-table';
import type { ServiceConfig } from '../src/config/model/service-config';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const url = option('url') ?? process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('give --url mysql://user:pass@host:port/database (or BENCH_DATABASE_URL)');
const CASES = Number(option('cases') ?? 1_000_000);
const DAYS = Number(option('days') ?? 365);
const BATCH = 500;
const NOW = Date.now();
const DAY = 86_400_000;

// Reproducible randomness (mulberry32): the same run seeds the same data.
let seed = 20261122;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
function pick<T>(weighted: ReadonlyArray<readonly [T, number]>): T {
  let r = random() * weighted.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of weighted) if ((r -= weight) < 0) return value;
  return weighted[weighted.length - 1][0];
}
/** Log-normal with the given median; sigma 1 puts p90 at ~3.6 × the median. */
function logNormal(median: number, sigma: number): number {
  const u = 1 - random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * z);
}

const SOURCES = [
  ['jinjiang-window', 30],
  ['qingyang-window', 20],
  ['tianfu-app', 25],
  ['wuhou-window', 15],
  ['gov-portal', 10],
] as const;
const SERVICES = [
  ['HRSS-UNEMP-REG', 35, ['HRSS']],
  ['CIVIL-DIBAO', 20, ['CIVIL']],
  ['HEALTH-BIRTH-REG', 20, ['HEALTH']],
  ['DPF-SUBSIDY', 15, ['DPF']],
  ['DPF-DIBAO-JOINT', 10, ['CIVIL', 'DPF']],
] as const;
const SERVICE_WEIGHTS = SERVICES.map((s) => [s, s[1]] as const);
/** Chengdu's counties; a few get most of the cases. */
const COUNTIES = [
  '510104',
  '510105',
  '510106',
  '510107',
  '510108',
  '510112',
  '510114',
  '510116',
  '510117',
  '510181',
];
const COUNTY_WEIGHTS = COUNTIES.map((c, i) => [c, 12 - i] as const);
/** Department behaviour: seconds to receipt (file drop is batched) and working days to a decision. */
const DEPARTMENTS: Record<string, { receiptSeconds: number; decisionDays: number }> = {
  HRSS: { receiptSeconds: 4, decisionDays: 2 },
  CIVIL: { receiptSeconds: 2, decisionDays: 8 },
  HEALTH: { receiptSeconds: 1.5, decisionDays: 1 },
  DPF: { receiptSeconds: 1800, decisionDays: 5 },
};
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英';

const PERSONS = Math.max(1, Math.round(CASES * 0.7));
/** A valid resident ID, unique per person index (birth day, sequence and county vary). */
function personId(index: number): string {
  const birth = new Date(Date.UTC(1940, 0, 1) + (index % 20_000) * DAY);
  const sequence = Math.floor(index / 20_000) % 1000;
  const county = COUNTIES[Math.floor(index / 20_000_000) % COUNTIES.length];
  const first17 = `${county}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  return first17 + residentIdCheckDigit(first17);
}

const cipher = new PersonalDataCipher({
  profile: 'international',
  keys: { k1: createHash('sha256').update('tongban bench key, not a secret').digest() },
  currentKeyId: 'k1',
});

/** Beijing working hours and weekdays get most cases. */
function createdTimes(): Float64Array {
  const times = new Float64Array(CASES);
  const start = NOW - DAYS * DAY;
  for (let i = 0; i < CASES;) {
    const t = start + random() * DAYS * DAY;
    const local = new Date(t + 8 * 3_600_000);
    const hour = local.getUTCHours();
    const weekday = local.getUTCDay() % 6 !== 0;
    const weight = (weekday ? 1 : 0.3) * (hour >= 9 && hour < 17 ? 1 : hour >= 7 && hour < 21 ? 0.35 : 0.04);
    if (random() < weight) times[i++] = Math.floor(t);
  }
  return times.sort();
}

interface Row {
  caseValues: unknown[];
  deliveryValues: unknown[][];
}

function makeCase(
  i: number,
  created: number,
  deadlines: CaseDeadlines,
  dueCache: Map<string, Date | null>,
): Row {
  const [service, , departments] = pick(SERVICE_WEIGHTS);
  const source = pick(SOURCES);
  const county = pick(COUNTY_WEIGHTS);
  const person = Math.floor(random() * PERSONS);
  const idNumber = personId(person);
  const name = SURNAMES[person % SURNAMES.length] + GIVEN[(person >> 3) % GIVEN.length];
  const phone = `13${String(100_000_000 + (person % 900_000_000)).slice(0, 9)}`;
  const accepted = created - Math.floor(random() * 600_000);
  const dueKey = `${service}|${new Date(accepted + 8 * 3_600_000).toISOString().slice(0, 10)}`;
  if (!dueCache.has(dueKey)) dueCache.set(dueKey, deadlines.dueAt(service, new Date(accepted)));
  const due = dueCache.get(dueKey) ?? null;

  const deliveries = departments.map((department) => {
    const behaviour = DEPARTMENTS[department];
    let status: DeliveryStatus;
    let delivered: number | null = created + Math.round(logNormal(behaviour.receiptSeconds, 1) * 1000);
    let final: number | null = null;
    if (random() < 0.005) {
      status = DeliveryStatus.DeadLettered;
      delivered = null;
    } else if (delivered > NOW) {
      status = DeliveryStatus.Pending;
      delivered = null;
    } else {
      // Decisions in calendar time: working days × 1.4 for weekends and holidays, log-normal spread.
      final = created + Math.round(logNormal(behaviour.decisionDays * 1.4, 0.8) * DAY);
      if (final > NOW) {
        status = random() < 0.6 ? DeliveryStatus.Processing : DeliveryStatus.Delivered;
        final = null;
      } else status = random() < 0.92 ? DeliveryStatus.Approved : DeliveryStatus.Rejected;
    }
    return { department, status, delivered, final };
  });
  const status = rollUpCaseStatus(deliveries.map((d) => d.status));
  const allFinal = deliveries.every((d) => FINAL_DELIVERY_STATUSES.has(d.status));
  const completed = allFinal ? Math.max(...deliveries.map((d) => d.final ?? 0)) : null;
  const overdue = completed === null && due && due.getTime() < NOW ? due.getTime() + 30_000 : null;
  const id = uuidV7(created);
  const document = {
    schemaVersion: 1,
    externalId: `${source}-${i}`,
    source,
    serviceCode: service,
    region: { code: `${county}001001` },
    applicant: {
      name,
      idType: 'RESIDENT_ID',
      idNumber,
      phone,
      address: '四川省成都市某某街道某某社区 12 栋 3 单元 402',
    },
    acceptedAt: new Date(accepted).toISOString(),
    acceptedBy: { operatorId: `op-${i % 300}`, stationId: `ST-${county}-01`, channel: 'WINDOW' },
    form: {
      householdSize: 1 + (i % 5),
      monthlyIncomeYuan: `${800 + (i % 2000)}.00`,
      note: '申请人自述家庭困难',
    },
  };
  const createdAt = new Date(created);
  return {
    caseValues: [
      id,
      source,
      `${source}-${i}`,
      1,
      service,
      status,
      `${county}001001`,
      null,
      cipher.lookupHash(idNumber),
      JSON.stringify({ name: maskName(name), idNumber: maskIdNumber(idNumber), phone: maskPhone(phone) }),
      'k1',
      cipher.encrypt(JSON.stringify(document)),
      createHash('sha256').update(id).digest('hex'),
      new Date(accepted),
      due,
      completed === null ? null : new Date(completed),
      overdue === null ? null : new Date(overdue),
      createdAt,
      new Date(Math.max(created, completed ?? 0, ...deliveries.map((d) => d.delivered ?? 0))),
    ],
    deliveryValues: deliveries.map((d) => [
      uuidV7(created),
      id,
      source,
      service,
      `${county}001001`,
      d.department,
      d.department.toLowerCase(),
      d.status,
      d.status === DeliveryStatus.DeadLettered ? 5 : 1,
      createdAt,
      new Date(Math.max(created, d.final ?? 0, d.delivered ?? 0)),
      d.delivered === null ? null : new Date(d.delivered),
      d.final === null ? null : new Date(d.final),
      due,
    ]),
  };
}

async function seedAll(db: DataSource): Promise<void> {
  const [{ n }] = await db.query<Array<{ n: string }>>('SELECT COUNT(*) AS n FROM cases');
  if (Number(n) > 0) throw new Error(`the database has ${n} cases already; seed an empty one`);
  const config = {
    configDir: resolve(__dirname, '..', 'config'),
    services: new Map<string, ServiceConfig>(),
  };
  for (const [code, promise] of [
    ['HRSS-UNEMP-REG', 5],
    ['CIVIL-DIBAO', 20],
    ['HEALTH-BIRTH-REG', 3],
    ['DPF-SUBSIDY', 15],
    ['DPF-DIBAO-JOINT', 20],
  ] as const) {
    config.services.set(code, { code, name: code, promisedWorkingDays: promise });
  }
  const deadlines = CaseDeadlines.fromConfig(config);
  const dueCache = new Map<string, Date | null>();
  const times = createdTimes();
  const started = Date.now();
  const inFlight: Promise<unknown>[] = [];
  let deliveries = 0;
  for (let from = 0; from < CASES; from += BATCH) {
    const rows: Row[] = [];
    for (let i = from; i < Math.min(from + BATCH, CASES); i++)
      rows.push(makeCase(i, times[i], deadlines, dueCache));
    const deliveryRows = rows.flatMap((r) => r.deliveryValues);
    deliveries += deliveryRows.length;
    // Two batches in flight: one is generated while the other is written.
    if (inFlight.length >= 2) await inFlight.shift();
    inFlight.push(
      (async () => {
        await db.query(
          `INSERT INTO cases (id, source, external_id, schema_version, service_code, status, region_code, flags,
             applicant_id_hash, applicant_masked, key_id, payload, request_hash, accepted_at, due_at,
             completed_at, overdue_at, created_at, updated_at)
           VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          rows.flatMap((r) => r.caseValues),
        );
        await db.query(
          `INSERT INTO deliveries (id, case_id, case_source, case_service_code, case_region_code, department,
             mapping, status, attempts, created_at, updated_at, delivered_at, final_at, due_at)
           VALUES ${deliveryRows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          deliveryRows.flat(),
        );
      })(),
    );
    const done = from + rows.length;
    if (done % 50_000 === 0 || done === CASES) {
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `${done.toLocaleString('en')} cases, ${deliveries.toLocaleString('en')} deliveries ` +
          `(${Math.round(done / seconds).toLocaleString('en')} cases/s, ${seconds.toFixed(0)} s)`,
      );
    }
  }
  await Promise.all(inFlight);
  console.log('ANALYZE TABLE …');
  await db.query('ANALYZE TABLE cases, deliveries');
}

async function time<T>(work: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [Number(process.hrtime.bigint() - start) / 1e6, result];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function measure(db: DataSource): Promise<void> {
  const [{ n }] = await db.query<Array<{ n: string }>>('SELECT COUNT(*) AS n FROM cases');
  const [{ m }] = await db.query<Array<{ m: string }>>('SELECT COUNT(*) AS m FROM deliveries');
  console.log(
    `\nmeasuring on ${Number(n).toLocaleString('en')} cases, ${Number(m).toLocaleString('en')} deliveries`,
  );
  const admin: ApiClient = { name: 'bench', source: 'ops', scopes: new Set(['admin']) };
  const platform: ApiClient = { name: 'bench', source: 'jinjiang-window', scopes: new Set(['cases:read']) };

  // Resident lookup: the API's own search (index lookup + the page's deliveries), random people.
  const query = new CaseQueryService(new CaseReadStore(db), cipher);
  const people = Array.from({ length: 300 }, () => personId(Math.floor(random() * PERSONS)));
  for (const id of people.slice(0, 20)) await query.search({ applicantIdNumber: id }, admin);
  for (const [label, client] of [
    ['admin', admin],
    ['platform', platform],
  ] as const) {
    const timings: number[] = [];
    let found = 0;
    for (const id of people) {
      const [ms, result] = await time(() => query.search({ applicantIdNumber: id }, client));
      timings.push(ms);
      found += result.items.length;
    }
    console.log(
      `lookup by applicantIdNumber (${label}): p50 ${percentile(timings, 0.5).toFixed(2)} ms, ` +
        `p95 ${percentile(timings, 0.95).toFixed(2)} ms, max ${Math.max(...timings).toFixed(2)} ms ` +
        `(${people.length} people, ${(found / people.length).toFixed(2)} cases each)`,
    );
  }

  const stats = new StatsService(new StatsStore(db), RegionTable.load());
  const now = new Date();
  const ranges = [
    ['last 30 days', {}],
    ['all rows', { from: '2000-01-01T00:00:00Z', to: now.toISOString() }],
  ] as const;
  for (const [label, range] of ranges) {
    for (const client of [admin, platform]) {
      for (const groupBy of STATS_GROUPINGS) {
        const q = parseStatsQuery({ groupBy, ...range }, client, now);
        await stats.report(q); // warm the buffer pool for this shape
        const timings: number[] = [];
        let groups = 0;
        for (let i = 0; i < 5; i++) {
          const [ms, report] = await time(() => stats.report(q));
          timings.push(ms);
          groups = report.groups.length;
        }
        console.log(
          `stats ${label.padEnd(12)} ${client === admin ? 'admin   ' : 'platform'} groupBy=${groupBy.padEnd(10)} ` +
            `min ${Math.min(...timings)
              .toFixed(0)
              .padStart(5)} ms, median ${percentile(timings, 0.5).toFixed(0).padStart(5)} ms ` +
            `(${groups} groups)`,
        );
      }
    }
  }
}

async function main(): Promise<void> {
  const target = new URL(url!);
  const database = target.pathname.slice(1);
  const server = new URL(url!);
  server.pathname = '/';
  const connection = await createConnection(server.toString());
  await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4`);
  await connection.end();
  const db = createDataSource(url!, 4);
  await db.initialize();
  await db.runMigrations();
  try {
    if (!args.includes('--measure-only')) await seedAll(db);
    if (!args.includes('--no-measure')) await measure(db);
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
