import { plainToInstance } from 'class-transformer';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileDropAdapterFactory, type FileDropAdapter } from '../../src/adapters/file-drop/file-drop.adapter';
import { parseFileDropOptions } from '../../src/adapters/file-drop/file-drop-adapter.options';
import { createEgressGuard } from '../../src/adapters/network/egress-guard';
import type { DeliveryOutcome } from '../../src/adapters/sdk/delivery-outcome';
import type { DepartmentStatusReport } from '../../src/adapters/sdk/department-adapter';
import { DepartmentConfig } from '../../src/config/model/department-config';
import { DpfSimulator } from '../../src/simulators/file-drop/dpf.simulator';
import { dpfSampleRecord } from '../../src/simulators/file-drop/dpf-sample';
import { OPENSSH_SFTP_SERVER } from '../../src/simulators/file-drop/sftp-server';

const department = plainToInstance(
  DepartmentConfig,
  { code: 'DPF', name: '市残联', adapter: { type: 'file-drop', options: {} } },
  { exposeDefaultValues: true },
);
const USER = { username: 'dpf-drop', password: 'S3cret-残联' };

let root: string;
let sim: DpfSimulator;
const adapters: FileDropAdapter[] = [];
let seq = 0;
const newId = (): string => `0193a0c3-1111-7c4b-9f1e-${String(++seq).padStart(12, '0')}`;
const signal = (): AbortSignal => new AbortController().signal;

async function adapter(
  opts: { allowed?: string[]; target?: Record<string, unknown> } = {},
): Promise<FileDropAdapter> {
  const port = sim.sftpPort!;
  const options = parseFileDropOptions({
    target: {
      type: 'sftp',
      host: '127.0.0.1',
      port: String(port),
      ...USER,
      path: 'inbox',
      hostFingerprint: sim.sftpHostFingerprint,
      connectTimeoutMs: 3_000,
      operationTimeoutMs: 5_000,
      ...opts.target,
    },
    resultsPath: 'results',
    encoding: 'gbk',
    results: {
      statusColumn: '处理结果',
      statusMap: { '01': 'ACCEPTED', '03': 'REJECTED' },
      referenceColumn: '业务编号',
      settleMs: 0,
    },
  });
  const created = await new FileDropAdapterFactory().create({
    department,
    options,
    egress: createEgressGuard('DPF', opts.allowed ?? [`127.0.0.1:${port}`]),
    configDir: root,
    log: () => undefined,
  });
  adapters.push(created);
  return created;
}

const deliver = (a: FileDropAdapter, id: string): Promise<DeliveryOutcome> =>
  a.deliver({
    deliveryId: id,
    caseId: 'c-1',
    department: 'DPF',
    attempt: 1,
    message: dpfSampleRecord(id),
    signal: signal(),
  });

const describeSftp = existsSync(OPENSSH_SFTP_SERVER) ? describe : describe.skip;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tongban-dpf-sftp-'));
  sim = new DpfSimulator({ rootDir: root, pollIntervalMs: 10, sftp: USER });
  await sim.start();
});

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  await sim.stop();
  await rm(root, { recursive: true, force: true });
});

describeSftp('file-drop adapter over SFTP (OpenSSH sftp-server)', () => {
  it('delivers through one reused connection and picks up results the same way', async () => {
    const a = await adapter();
    const ids = [newId(), newId(), newId()];
    sim.rejectIds([ids[2]]);
    const outcomes = [];
    for (const id of ids) outcomes.push(await deliver(a, id));
    expect(outcomes.map((o) => o.kind)).toEqual(['queued', 'queued', 'queued']);
    expect(sim.stats().sftp).toMatchObject({ connections: 1, sftpSessions: 1 });

    await sim.waitFor((s) => s.resultFilesWritten === 3);
    expect(sim.stats().invalidFiles).toEqual([]);
    expect(await readFile(join(sim.processedDir, `TB_${ids[0]}.csv`))).toEqual(outcomes[0].exchange?.sent);

    const reports: DepartmentStatusReport[] = [];
    for (let i = 0; i < 100 && reports.length < 3; i++) {
      reports.push(...(await a.collectResults(signal())));
      await sleep(20);
    }
    expect(reports.map((r) => [r.deliveryId, r.status])).toEqual(
      expect.arrayContaining([
        [ids[0], 'ACCEPTED'],
        [ids[1], 'ACCEPTED'],
        [ids[2], 'REJECTED'],
      ]),
    );
    expect(reports.find((r) => r.deliveryId === ids[0])?.receipt?.reference).toBe(
      sim.registry.businessNo(ids[0]),
    );
    // Archived by the next collect, once the caller has applied the rows.
    expect(await a.collectResults(signal())).toEqual([]);
    expect((await readdir(join(sim.resultsDir, 'archive'))).length).toBe(3);
    expect((await readdir(sim.resultsDir)).filter((n) => n !== 'archive')).toEqual([]);
    expect(await a.healthCheck(signal())).toEqual({ ok: true });
    expect(sim.stats().sftp?.connections).toBe(1);
  });

  it('reports the department down, answers transient, and reconnects once it is back', async () => {
    const a = await adapter();
    expect((await deliver(a, newId())).kind).toBe('queued');
    sim.setFault({ mode: 'down' });
    expect((await a.healthCheck(signal())).ok).toBe(false);
    await sleep(50);
    expect((await a.healthCheck(signal())).ok).toBe(false);
    const refused = await deliver(a, newId());
    expect(refused.kind).toBe('transient');

    sim.setFault({ mode: 'none' });
    const id = newId();
    expect((await deliver(a, id)).kind).toBe('queued');
    await sim.waitFor((s) => sim.registry.row(id) !== undefined && s.uniqueIds === 2);
    expect(sim.stats().sftp?.refused).toBeGreaterThan(0);
  });

  it('refuses a host:port outside allowedHosts without connecting', async () => {
    const a = await adapter({ allowed: [`127.0.0.1:${sim.sftpPort! + 1}`] });
    const outcome = await deliver(a, newId());
    expect(outcome).toMatchObject({ kind: 'permanent', errorClass: 'EgressDenied' });
    expect(outcome.kind === 'permanent' && outcome.reason).toContain(`127.0.0.1:${sim.sftpPort}`);
    expect((await a.healthCheck(signal())).ok).toBe(false);
    await expect(a.collectResults(signal())).rejects.toThrow(/allowedHosts/);
    expect(sim.stats().sftp?.connections).toBe(0);
  });

  it('refuses a server whose host key does not match the pinned fingerprint, and wrong passwords', async () => {
    const wrongKey = await adapter({ target: { hostFingerprint: 'SHA256:' + 'A'.repeat(43) } });
    expect((await deliver(wrongKey, newId())).kind).toBe('transient');
    const wrongPassword = await adapter({ target: { password: 'nope' } });
    expect((await deliver(wrongPassword, newId())).kind).toBe('transient');
    expect(sim.stats().sftp?.authenticationFailures).toBeGreaterThan(0);
    expect(await readdir(sim.inboxDir)).toEqual([]);
  });
});
