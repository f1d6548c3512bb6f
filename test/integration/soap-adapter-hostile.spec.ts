import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DepartmentAdapter } from '../../src/adapters/sdk/department-adapter';
import { HrssSimulator } from '../../src/simulators/soap/hrss.simulator';
import {
  createSoapAdapter,
  deliveryRequest,
  describe as describeOutcome,
  expectKind,
  hrssMessage,
  type LogEntry,
} from '../fixtures/soap/soap-test-kit';

/** Responses a legacy system (or an attacker between us and it) may send: none may crash or leak. */
describe('SOAP adapter against hostile HRSS responses', () => {
  const simulator = new HrssSimulator();
  const logs: LogEntry[] = [];
  let adapter: DepartmentAdapter;

  beforeAll(async () => {
    adapter = await createSoapAdapter({ endpoint: await simulator.start() }, { logs });
  });

  afterEach(() => {
    simulator.clearFault();
    logs.length = 0;
  });

  afterAll(async () => {
    await adapter.close();
    await simulator.stop();
  });
  let dir: string;
  const secret = `TONGBAN-XXE-SECRET-${process.pid}-${Date.now()}`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'soap-xxe-'));
    writeFileSync(join(dir, 'secret.txt'), secret);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an XXE response is refused, never expanded, and the file content appears nowhere', async () => {
    simulator.setFault({ mode: 'xxe', file: join(dir, 'secret.txt') });
    const outcome = expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'transient');
    expect(outcome).toMatchObject({ errorClass: 'BAD_RESPONSE', reason: expect.stringMatching(/DOCTYPE/) });
    expect(outcome.exchange?.received?.toString('utf8')).toContain('<!ENTITY xxe SYSTEM');
    const everything =
      JSON.stringify(outcome) + (outcome.exchange?.received?.toString('utf8') ?? '') + JSON.stringify(logs);
    expect(everything).not.toContain(secret);
    expect(logs.some((entry) => entry.level === 'warn')).toBe(true);
  });

  it('an entity bomb is refused fast, with no expansion', async () => {
    simulator.setFault({ mode: 'entity-bomb' });
    const started = Date.now();
    const outcome = expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'transient');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(outcome.errorClass).toBe('BAD_RESPONSE');
    expect(JSON.stringify(outcome)).not.toContain('lollollol');
  });

  it.each([20, 500])(
    'a %i MB response is cut off at maxResponseBytes with bounded memory',
    async (megabytes) => {
      simulator.setFault({ mode: 'huge', sizeBytes: megabytes * 1024 * 1024 });
      const before = process.memoryUsage();
      const started = Date.now();
      const outcome = expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'transient');
      const after = process.memoryUsage();
      expect(outcome).toMatchObject({
        errorClass: 'BAD_RESPONSE',
        reason: expect.stringMatching(/too large/),
      });
      expect(outcome.exchange!.received!.length).toBeLessThanOrEqual(5 * 1024 * 1024);
      // The rest is never read: no time spent on it, and memory does not grow with the response size.
      expect(Date.now() - started).toBeLessThan(2_000);
      const grown = after.arrayBuffers + after.heapUsed - before.arrayBuffers - before.heapUsed;
      expect(grown).toBeLessThan(24 * 1024 * 1024);
      // The adapter still works afterwards (the cut-off socket was not reused).
      simulator.clearFault();
      expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'delivered');
    },
  );

  it('20,000-deep nesting is refused without a stack overflow', async () => {
    simulator.setFault({ mode: 'deep' });
    const outcome = expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'transient');
    expect(outcome).toMatchObject({
      errorClass: 'BAD_RESPONSE',
      reason: expect.stringMatching(/nesting exceeds 200/),
    });
  });

  it('a garbage body is BAD_RESPONSE, not a fake fault', async () => {
    simulator.setFault({ mode: 'garbage' });
    const outcome = expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'transient');
    expect(outcome.errorClass).toBe('BAD_RESPONSE');
    expect(outcome.exchange?.faultCode).toBeUndefined();
    expect(outcome.reason).not.toMatch(/Invalid XML|500/);
  });

  it('an HTML 502 and a 503 are transient HTTP errors', async () => {
    simulator.setFault({ mode: 'html-502' });
    const bad = expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'transient');
    expect(bad).toMatchObject({ errorClass: 'HTTP_STATUS', exchange: { httpStatus: 502 } });
    simulator.setFault({ mode: 'down' });
    const down = expectKind(await adapter.deliver(deliveryRequest(hrssMessage())), 'transient');
    expect(down).toMatchObject({
      errorClass: 'HTTP_STATUS',
      retryAfterMs: 1_000,
      exchange: { httpStatus: 503 },
    });
  });

  it('the outcome never looks like an exception for broken input', async () => {
    simulator.setFault({ mode: 'garbage' });
    const outcomes = await Promise.all([1, 2, 3].map(() => adapter.deliver(deliveryRequest(hrssMessage()))));
    for (const outcome of outcomes) expect(describeOutcome(outcome)).toContain('BAD_RESPONSE');
  });
});
