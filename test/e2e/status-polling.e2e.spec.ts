import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { HrssSimulator } from '../../src/simulators/soap/hrss.simulator';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { FAST_DELIVERY } from '../support/test-config';
import {
  EXAMPLE_CONFIG_DIR,
  PLATFORM_KEY,
  startTestGateway,
  type TestGateway,
} from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

/** Quick retries, but a timeout no loaded test machine reaches (a timeout makes the engine ask first). */
const DELIVERY = FAST_DELIVERY.replace('timeoutMs: 1500', 'timeoutMs: 10000');

/** The example config with HRSS only, pointed at a simulator, with the given `tracking.polling`. */
function hrssConfig(endpoint: string, polling: string): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-polling-config-'));
  cpSync(EXAMPLE_CONFIG_DIR, dir, { recursive: true });
  for (const code of ['CIVIL', 'HEALTH', 'DPF']) rmSync(join(dir, 'departments', `${code}.yaml`));
  const yaml = readFileSync(join(EXAMPLE_CONFIG_DIR, 'departments', 'HRSS.yaml'), 'utf8')
    .replace(/\$\{HRSS_ENDPOINT:-[^}]*\}/, endpoint)
    .replace(/allowedHosts: \[[^\]]*\]/, `allowedHosts: ['${new URL(endpoint).host}']`)
    .replace(/\ndelivery:[\s\S]*?(?=\n[a-z#]|$)/, `\ndelivery:${DELIVERY}`)
    .replace(/polling: \{[^}]*\}/, `polling: ${polling}`);
  expect(yaml).toContain(`polling: ${polling}`);
  expect(yaml).toContain('timeoutMs: 10000');
  writeFileSync(join(dir, 'departments', 'HRSS.yaml'), yaml);
  writeFileSync(
    join(dir, 'routes.yaml'),
    'routes:\n  - service: HRSS-UNEMP-REG\n    targets: [{ department: HRSS, mapping: hrss-unemployment }]\n',
  );
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

interface PollRow {
  status: string;
  next_poll_at: Date | null;
  polls: number;
  department_status: string | null;
  remark: string | null;
}

async function start(hrss: HrssSimulator, polling: string) {
  const endpoint = await hrss.start();
  const config = hrssConfig(endpoint, polling);
  const gw = await startTestGateway({ configDir: config.dir });
  const submit = async (): Promise<{ caseId: string; id: string }> => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body: sampleCase() });
    expect(res.status).toBe(202);
    return { caseId: res.body.id, id: res.body.deliveries[0].id };
  };
  const row = async (id: string): Promise<PollRow> => {
    const [r] = await gw.db.query<Array<Record<string, unknown>>>(
      'SELECT status, next_poll_at, polls, department_status, remark FROM deliveries WHERE id = ?',
      [id],
    );
    return { ...(r as unknown as PollRow), polls: Number(r.polls) };
  };
  const reaches = async (id: string, status: string) => {
    // Generous: two gateways start and deliver on a 2-core CI machine running other suites, where a
    // stalled job is only taken over after its lock (25 s) runs out. A miss names where it stopped,
    // in MySQL and in BullMQ.
    try {
      await waitFor(async () => (await row(id)).status === status, `delivery ${id} ${status}`, 120_000);
    } catch (error) {
      const [attempts] = await gw.db.query<Array<{ n: string }>>(
        'SELECT COUNT(*) AS n FROM delivery_attempts WHERE delivery_id = ?',
        [id],
      );
      const queue = new Queue('delivery.HRSS', { connection: gw.redis, prefix: gw.runtime.env.queuePrefix });
      const job = await queue.getJob(id);
      const state = job ? await job.getState() : 'no job';
      const { attemptsMade, failedReason, processedOn, finishedOn, returnvalue } = job ?? {};
      const jobInfo = job
        ? { state, attemptsMade, failedReason, processedOn, finishedOn, returnvalue }
        : state;
      await queue.close();
      throw new Error(
        `${(error as Error).message}; it is ${JSON.stringify(await row(id))}, ${attempts.n} attempt(s), job ${JSON.stringify(jobInfo)}`,
      );
    }
  };
  const stop = async () => {
    await gw.close();
    await hrss.stop();
    config.dispose();
  };
  return { gw, configDir: config.dir, submit, row, reaches, stop };
}

/** Status polling of HRSS (SOAP QueryRegistrationStatus) against the real simulator. */
describe('status polling', () => {
  const hrss = new HrssSimulator();
  // First poll 300 ms after delivery, gaps 300 → 600 → 1200 ms.
  const MAX_GAP_MS = 1_200;
  let t: Awaited<ReturnType<typeof start>>;

  beforeAll(async () => {
    t = await start(hrss, `{ callsPerMinute: 600, initialIntervalMs: 300, maxIntervalMs: ${MAX_GAP_MS} }`);
  });
  afterAll(async () => t?.stop());
  beforeEach(() => hrss.clearFault());

  it('polls a delivery through PROCESSING to APPROVED, completes the case, then stops polling', async () => {
    const { caseId, id } = await t.submit();
    await t.reaches(id, 'DELIVERED');
    // The department still answers 01 (accepted): nothing new, polling goes on with growing gaps.
    await waitFor(async () => (await t.row(id)).polls >= 2, 'two status calls answered 01');
    expect(hrss.registry.statusQueriesFor(id)).toBeGreaterThanOrEqual(2);
    const waiting = await t.row(id);
    expect(waiting.status).toBe('DELIVERED');
    expect(waiting.next_poll_at).not.toBeNull();

    hrss.setStatus(id, '02');
    await t.reaches(id, 'PROCESSING');
    hrss.setStatus(id, '03', '审核通过');
    await t.reaches(id, 'APPROVED');

    const done = await t.row(id);
    expect(done).toMatchObject({ department_status: '03', remark: '审核通过', next_poll_at: null });
    const detail = await call(t.gw.url, 'GET', `/api/v1/cases/${caseId}`, { key: PLATFORM_KEY });
    expect(detail.body.status).toBe('COMPLETED');
    const events = await t.gw.db.query<Array<{ detail: string }>>(
      "SELECT detail FROM case_events WHERE delivery_id = ? AND type = 'DELIVERY_STATUS_REPORTED' ORDER BY id",
      [id],
    );
    expect(events.map((e) => JSON.parse(e.detail) as unknown)).toEqual([
      expect.objectContaining({ status: 'PROCESSING', via: 'poll' }),
      expect.objectContaining({ status: 'APPROVED', via: 'poll' }),
    ]);

    // Final: no more status calls, for longer than the longest gap twice over.
    const calls = hrss.registry.statusQueriesFor(id);
    await sleep(2 * MAX_GAP_MS + 500);
    expect(hrss.registry.statusQueriesFor(id)).toBe(calls);

    const metrics = await call(t.gw.url, 'GET', '/metrics');
    expect(metrics.body).toMatch(
      /tongban_tracking_reports_total\{department="HRSS",via="poll",outcome="applied"\} [2-9]/,
    );
  });

  it('keeps a delivery scheduled while its status calls fail, and reaches the final status after recovery', async () => {
    const { id } = await t.submit();
    await t.reaches(id, 'DELIVERED');
    hrss.setFault({ mode: 'always-failing' });
    hrss.setStatus(id, '04', '不符合失业登记条件');
    const before = hrss.registry.statusQueriesFor(id);
    await waitFor(() => hrss.registry.statusQueriesFor(id) >= before + 3, 'three failing status calls');
    // Each failure is an unchanged answer: the gap grows, the delivery stays scheduled.
    await waitFor(async () => (await t.row(id)).polls >= 3, 'failures counted');
    const failing = await t.row(id);
    expect(failing.status).toBe('DELIVERED');
    expect(failing.next_poll_at).not.toBeNull();

    hrss.clearFault();
    await t.reaches(id, 'REJECTED');
    expect(await t.row(id)).toMatchObject({ department_status: '04', next_poll_at: null });
  });

  it('makes no status calls to a department whose circuit is open', async () => {
    const { id } = await t.submit();
    await t.reaches(id, 'DELIVERED');
    await waitFor(() => hrss.registry.statusQueriesFor(id) >= 1, 'the first status call');
    const breaker = `${t.gw.runtime.env.queuePrefix}:breaker:HRSS`;
    await t.gw.redis.hset(breaker, {
      state: 'OPEN',
      failures: 5,
      cooldown: 3_600_000,
      nextProbeAt: Date.now() + 3_600_000,
    });
    try {
      await sleep(300); // a call already under way may still land
      const calls = hrss.registry.statusQueriesFor(id);
      await sleep(2 * MAX_GAP_MS + 500);
      expect(hrss.registry.statusQueriesFor(id)).toBe(calls);
    } finally {
      await t.gw.redis.del(breaker);
    }
    const calls = hrss.registry.statusQueriesFor(id);
    await waitFor(
      () => hrss.registry.statusQueriesFor(id) > calls,
      'polling resumed once the circuit closed',
    );
  });
});

/** Status calls a gateway process made, from its own /metrics. */
async function pollsCounted(gw: TestGateway): Promise<number> {
  const text = String((await call(gw.url, 'GET', '/metrics')).body);
  const lines =
    text.match(/^tongban_tracking_reports_total\{department="HRSS",via="poll",[^}]*\} \d+$/gm) ?? [];
  return lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('status polling budget', () => {
  const hrss = new HrssSimulator();
  const BUDGET = 6;
  let t: Awaited<ReturnType<typeof start>>;
  let secondWorker: TestGateway;

  beforeAll(async () => {
    // Runs every 100 ms and every delivery due 100 ms after delivery: only the budget holds calls back.
    t = await start(hrss, `{ callsPerMinute: ${BUDGET}, initialIntervalMs: 100, maxIntervalMs: 200 }`);
    // A second worker process on the same database and Redis: the budget is shared, not per process.
    secondWorker = await startTestGateway({
      configDir: t.configDir,
      databaseName: new URL(t.gw.runtime.databaseUrl).pathname.slice(1),
      queuePrefix: t.gw.runtime.env.queuePrefix,
      cipher: t.gw.runtime.cipher,
      env: { TONGBAN_ROLE: 'worker' },
    });
  });
  afterAll(async () => {
    await secondWorker?.close();
    await t?.stop();
  });

  /**
   * Status calls (request ids, in order) about registrations the department had accepted: polls. The
   * delivery engine also asks, before it resends a delivery it is unsure about; those calls come
   * before the registration is accepted (answered NotFound) and are not polls.
   */
  const polls = (): Array<{ id: string; at: number }> => {
    const accepted = new Set<string>();
    const calls: Array<{ id: string; at: number }> = [];
    for (const r of hrss.registry.lastRequests(50)) {
      if (r.operation === 'SubmitUnemploymentRegistration' && r.outcome.startsWith('accepted'))
        accepted.add(r.requestId ?? '');
      else if (r.operation === 'QueryRegistrationStatus' && accepted.has(r.requestId ?? ''))
        calls.push({ id: r.requestId ?? '', at: Date.parse(r.at) });
    }
    return calls;
  };

  it('makes no more status calls in a minute than callsPerMinute across processes, and loses no delivery', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await t.submit()).id);
    for (const id of ids) await t.reaches(id, 'DELIVERED');
    await waitFor(() => polls().length >= BUDGET, 'the budget spent');
    // Many more runs (one every 100 ms) find due deliveries, but the minute's budget is spent.
    await sleep(2_000);
    // Under load the engine may also ask once before resending a delivery it left in SENDING; such a
    // check is recorded as DELIVERY_CONFIRMED and is not a poll.
    const [{ confirmed }] = await t.gw.db.query<Array<{ confirmed: string }>>(
      "SELECT COUNT(*) AS confirmed FROM case_events WHERE type = 'DELIVERY_CONFIRMED'",
    );
    // The budget is a sliding minute: on a slow machine the test may outlast the first minute, and
    // the next minute's calls are allowed then; no 60 seconds may hold more than the budget.
    const calls = polls();
    const busiestMinute = Math.max(
      ...calls.map(({ at }) => calls.filter((c) => c.at >= at && c.at < at + 60_000).length),
    );
    expect(busiestMinute).toBeGreaterThanOrEqual(BUDGET);
    expect(busiestMinute).toBeLessThanOrEqual(BUDGET + Number(confirmed));
    const rows = await Promise.all(ids.map((id) => t.row(id)));
    expect(rows.every((r) => r.status === 'DELIVERED' && r.next_poll_at !== null)).toBe(true);
    expect(calls.every(({ id }) => ids.includes(id))).toBe(true);
    expect((await pollsCounted(t.gw)) + (await pollsCounted(secondWorker))).toBe(
      calls.length - Number(confirmed),
    );
  }, 300_000);
});
