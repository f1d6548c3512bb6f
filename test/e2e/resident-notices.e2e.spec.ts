import { Logger, type LoggerService } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESIDENT_NOTIFIER, type ResidentNotice } from '../../src/notifications/resident-notifier';
import { PlatformReceiver } from '../../src/simulators/platform/platform-receiver';
import { HealthSimulator } from '../../src/simulators/rest/health.simulator';
import { DepartmentReportService } from '../../src/tracking/department-report.service';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import {
  ADMIN_KEY,
  PLATFORM_KEY,
  startTestGateway,
  type TestGateway,
  type TestGatewayOptions,
} from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

const SECRET = 'e2e-notice-secret';
const PHONE = '13812345678';

/** Every log call as raw text, before any log scrubbing: what the code itself chose to write. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...args: unknown[]) => this.push(args);
  warn = (...args: unknown[]) => this.push(args);
  error = (...args: unknown[]) => this.push(args);
  debug = (...args: unknown[]) => this.push(args);
  verbose = (...args: unknown[]) => this.push(args);
  private push(args: unknown[]): void {
    this.lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  }
}

/** Resident notices on a case's final result: the log notifier, the webhook notifier, a plug-in. */
describe('resident notices', () => {
  const health = new HealthSimulator();
  const receiver = new PlatformReceiver({ secret: SECRET });
  const logs = new CapturingLogger();
  let config: { dir: string; dispose(): void };
  let gw: TestGateway;

  beforeAll(async () => {
    const receiverUrl = await receiver.start();
    config = restDepartmentsConfig([{ code: 'HEALTH', baseUrl: await health.start() }]);
    const hook = `{ url: ${receiverUrl}/tongban/webhooks, secret: ${SECRET}, attempts: 50, baseDelayMs: 40, maxDelayMs: 150 }`;
    writeFileSync(
      join(config.dir, 'platforms.yaml'),
      `platforms:
  - source: demo-platform
    webhook: ${hook}
    residentNotifier: log
  - source: sms-platform
    webhook: ${hook}
    residentNotifier: webhook
    residentNotifierUrl: ${receiverUrl}/sms/notices
`,
    );
    gw = await start();
  });
  afterAll(async () => {
    await gw.close();
    await receiver.stop();
    await health.stop();
    config.dispose();
  });

  const start = async (options: TestGatewayOptions = {}) => {
    const started = await startTestGateway({
      configDir: config.dir,
      env: { TONGBAN_RECONCILE_INTERVAL_MS: '300' },
      ...options,
    });
    // Logger instances write to the app logger; catch what they are given from now on.
    Logger.overrideLogger(logs);
    return started;
  };

  /** Submits a case for `source` with the resident's phone and drives it to COMPLETED (APPROVED). */
  const complete = async (target: TestGateway, source: string, phone: string | null = PHONE) => {
    const body = sampleCase({ serviceCode: 'HEALTH-BIRTH-REG', form: { childOrder: 1 } });
    const applicant = body.applicant as Record<string, unknown>;
    if (phone === null) delete applicant.phone;
    else applicant.phone = phone;
    if (source !== 'demo-platform') body.source = source;
    const key = source === 'demo-platform' ? PLATFORM_KEY : ADMIN_KEY;
    const res = await call(target.url, 'POST', '/api/v1/cases', { key, body });
    expect(res.status).toBe(202);
    const caseId = res.body.id as string;
    const deliveryId = res.body.deliveries[0].id as string;
    await waitFor(async () => {
      const [row] = await target.db.query<Array<{ status: string }>>(
        'SELECT status FROM deliveries WHERE id = ?',
        [deliveryId],
      );
      return row?.status === 'DELIVERED';
    }, 'delivery');
    const reports = target.app.get(DepartmentReportService);
    for (const state of ['IN_REVIEW', 'DONE']) {
      const result = await reports.handle({
        department: 'HEALTH',
        via: 'callback',
        raw: { state },
        deliveryId,
      });
      expect(result.kind).toBe('applied');
    }
    return caseId;
  };
  const noticeOf = async (target: TestGateway, caseId: string) => {
    await waitFor(
      async () =>
        (await eventsOf(target, caseId)).some((e) => e.type === 'resident.notice' && e.status === 'SENT'),
      'notice sent',
    );
    const events = await eventsOf(target, caseId);
    return { notice: events.find((e) => e.type === 'resident.notice')!, events };
  };
  const eventsOf = (target: TestGateway, caseId: string) =>
    target.db.query<
      Array<{ id: string; type: string; status: string; payload: string; last_error: string | null }>
    >('SELECT id, type, status, payload, last_error FROM platform_events WHERE case_id = ? ORDER BY id', [
      caseId,
    ]);

  it('log notifier: the notice is logged with the phone masked, and the phone is stored nowhere else', async () => {
    const caseId = await complete(gw, 'demo-platform');
    const { notice, events } = await noticeOf(gw, caseId);

    const line = logs.lines.find((l) => l.includes(caseId) && l.includes('notice to resident'));
    expect(line).toContain('138****5678');
    expect(line).toContain('COMPLETED');
    expect(logs.lines.filter((l) => l.includes(PHONE))).toEqual([]);
    expect(JSON.parse(notice.payload)).toEqual({
      event: 'resident.notice',
      caseId,
      serviceCode: 'HEALTH-BIRTH-REG',
      status: 'COMPLETED',
      results: [{ department: 'HEALTH', status: 'APPROVED' }],
      at: expect.any(String),
    });
    expect(events.map((e) => e.payload).join()).not.toContain(PHONE);
    // The notice went through the same ordered queue: after the COMPLETED webhook.
    expect(events.map((e) => e.type)).toEqual([
      'case.status_changed',
      'case.status_changed',
      'case.status_changed',
      'resident.notice',
    ]);
    expect(receiver.received.some((e) => e.path === '/sms/notices' && e.body.caseId === caseId)).toBe(false);
  });

  it('a case without a phone: nothing to send, recorded as sent with the reason', async () => {
    const caseId = await complete(gw, 'demo-platform', null);
    const { notice } = await noticeOf(gw, caseId);
    expect(notice.last_error).toContain('no phone');
  });

  it('webhook notifier: the SMS service receives the real phone over the signed channel', async () => {
    const caseId = await complete(gw, 'sms-platform');
    const { notice } = await noticeOf(gw, caseId);
    const [received] = receiver.received.filter((e) => e.path === '/sms/notices' && e.body.caseId === caseId);

    expect(received.answered).toBe(200);
    expect(received.type).toBe('resident.notice');
    expect(received.eventId).toBe(notice.id);
    const expected = createHmac('sha256', SECRET)
      .update(`${received.timestamp}.${received.rawBody}`)
      .digest('hex');
    expect(received.signature).toBe(`sha256=${expected}`);
    expect(received.body).toEqual({
      event: 'resident.notice',
      eventId: notice.id,
      source: 'sms-platform',
      caseId,
      phone: PHONE,
      serviceCode: 'HEALTH-BIRTH-REG',
      status: 'COMPLETED',
      results: [{ department: 'HEALTH', status: 'APPROVED' }],
      at: expect.any(String),
    });
    // Strictly after the case's COMPLETED webhook.
    const completedAt = receiver.received.findIndex(
      (e) => e.body.caseId === caseId && e.body.status === 'COMPLETED' && e.type === 'case.status_changed',
    );
    expect(completedAt).toBeGreaterThanOrEqual(0);
    expect(completedAt).toBeLessThan(receiver.received.indexOf(received));
    expect(logs.lines.filter((l) => l.includes(PHONE))).toEqual([]);
  });

  it('a deployment plugs in its own notifier (SMS gateway) under RESIDENT_NOTIFIER', async () => {
    const sent: ResidentNotice[] = [];
    let failures = 1;
    const sms = {
      notify: async (notice: ResidentNotice) => {
        if (failures-- > 0) throw new Error('SMS gateway busy');
        sent.push(notice);
      },
    };
    const own = await start({ extraProviders: [{ provide: RESIDENT_NOTIFIER, useValue: sms }] });
    try {
      const caseId = await complete(own, 'demo-platform');
      const { notice } = await noticeOf(own, caseId);
      expect(sent).toEqual([
        expect.objectContaining({ eventId: notice.id, caseId, phone: PHONE, source: 'demo-platform' }),
      ]);
      const [row] = await own.db.query<Array<{ attempts: number }>>(
        'SELECT attempts FROM platform_events WHERE id = ?',
        [notice.id],
      );
      expect(row.attempts).toBe(2);
      expect(logs.lines.some((l) => l.includes(caseId) && l.includes('notice to resident'))).toBe(false);
    } finally {
      await own.close();
    }
  });
});
