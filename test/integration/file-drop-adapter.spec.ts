import { plainToInstance } from 'class-transformer';
import * as iconv from 'iconv-lite';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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

const department = plainToInstance(
  DepartmentConfig,
  { code: 'DPF', name: '市残联', adapter: { type: 'file-drop', options: {} } },
  { exposeDefaultValues: true },
);

const STATUS_MAP = { '01': 'ACCEPTED', '02': 'RESEND', '03': 'REJECTED', '04': 'APPROVED' };

let root: string;
let sim: DpfSimulator;
const adapters: FileDropAdapter[] = [];
let seq = 0;
const newId = (): string => `0193a0c2-7d2e-7c4b-9f1e-${String(++seq).padStart(12, '0')}`;

async function adapter(overrides: Record<string, unknown> = {}): Promise<FileDropAdapter> {
  const options = parseFileDropOptions({
    target: { type: 'directory', path: sim.inboxDir },
    resultsPath: sim.resultsDir,
    archivePath: join(root, 'archive'),
    format: 'csv',
    encoding: 'gbk',
    fileName: 'TB_{deliveryId}.csv',
    results: {
      statusColumn: '处理结果',
      statusMap: STATUS_MAP,
      referenceColumn: '业务编号',
      remarkColumn: '备注',
      finishedAtColumn: '处理时间',
      settleMs: 0,
    },
    ...overrides,
  });
  const created = await new FileDropAdapterFactory().create({
    department,
    options,
    egress: createEgressGuard('DPF', []),
    configDir: root,
    log: () => undefined,
  });
  adapters.push(created);
  return created;
}

const deliver = (a: FileDropAdapter, deliveryId: string, message: unknown): Promise<DeliveryOutcome> =>
  a.deliver({
    deliveryId,
    caseId: 'c-1',
    department: 'DPF',
    attempt: 1,
    message,
    signal: new AbortController().signal,
  });

async function collectUntil(
  a: FileDropAdapter,
  count: number,
  timeoutMs = 10_000,
): Promise<DepartmentStatusReport[]> {
  const reports: DepartmentStatusReport[] = [];
  const deadline = Date.now() + timeoutMs;
  while (reports.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${reports.length} of ${count} reports`);
    reports.push(...(await a.collectResults(new AbortController().signal)));
    await sleep(20);
  }
  return reports;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tongban-dpf-'));
  sim = new DpfSimulator({ rootDir: root, pollIntervalMs: 5 });
  await sim.start();
});

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  await sim.stop();
  await rm(root, { recursive: true, force: true });
});

describe('file-drop adapter (directory) against the DPF simulator', () => {
  it('places a GBK CRLF CSV file whose bytes are exactly exchange.sent, quoting commas, quotes and newlines', async () => {
    const a = await adapter();
    const id = newId();
    const record = dpfSampleRecord(id, { 姓名: '王堃', 备注: '住址: 朝阳区, "幸福"小区\n3号楼\r\n2单元' });
    const outcome = await deliver(a, id, record);
    expect(outcome.kind).toBe('queued');
    const sent = outcome.exchange?.sent;
    expect(sent).toBeInstanceOf(Buffer);

    await sim.waitFor((s) => s.filesReceived === 1);
    expect(sim.stats().invalidFiles).toEqual([]);
    expect(await readFile(join(sim.processedDir, `TB_${id}.csv`))).toEqual(sent);
    const text = iconv.decode(sent!, 'gbk');
    expect(
      text.startsWith(
        '流水号,姓名,证件号码,性别,出生日期,残疾证号,残疾类别,残疾等级,补贴类型,联系电话,行政区划,受理日期,备注\r\n',
      ),
    ).toBe(true);
    expect(text).toContain('"住址: 朝阳区, ""幸福""小区\n3号楼\r\n2单元"');
    expect(sent!.includes(iconv.encode('王堃', 'gbk'))).toBe(true);
    expect(sent!.includes(Buffer.from('王堃', 'utf8'))).toBe(false);
    expect(sim.registry.row(id)).toEqual(record);
  });

  it('never lets the department see a partial file, even for big files read while they are written', async () => {
    const a = await adapter();
    const ids = [newId(), newId(), newId()];
    let polling = true;
    const poller = (async () => {
      while (polling) await sim.pollOnce();
    })();
    const big = '残疾人两项补贴，'.repeat(120_000); // ~1.9 MB in GBK
    const outcomes = await Promise.all(ids.map((id) => deliver(a, id, dpfSampleRecord(id, { 备注: big }))));
    await sim.waitFor((s) => s.filesReceived === ids.length);
    polling = false;
    await poller;
    expect(outcomes.map((o) => o.kind)).toEqual(['queued', 'queued', 'queued']);
    expect(sim.stats().invalidFiles).toEqual([]);
    for (const id of ids) expect(sim.registry.row(id)?.['备注']).toBe(big);
    expect((await readdir(sim.inboxDir)).filter((n) => n.endsWith('.part'))).toEqual([]);

    // The control: the same simulator does notice a file written in place.
    await writeFile(join(sim.inboxDir, 'TB_partial.csv'), iconv.encode('流水号,姓名\r\n"abc,', 'gbk'));
    await sim.waitFor((s) => s.invalidFiles.length === 1);
  });

  it('refuses 𠮷 in GBK before writing anything; GB18030 takes it', async () => {
    const a = await adapter();
    const id = newId();
    const outcome = await deliver(a, id, dpfSampleRecord(id, { 姓名: '吉𠮷' }));
    expect(outcome).toMatchObject({ kind: 'permanent', errorClass: 'UnencodableCharacter' });
    expect(outcome.kind === 'permanent' && outcome.reason).toMatch(/field 姓名: character 𠮷 \(U\+20BB7\)/);
    expect(outcome.exchange).toBeUndefined();
    expect(await readdir(sim.inboxDir)).toEqual([]);

    const b = await adapter({ encoding: 'gb18030' });
    expect((await deliver(b, id, dpfSampleRecord(id, { 姓名: '吉𠮷' }))).kind).toBe('queued');
  });

  it('refuses nested messages and reports delivered without a reference when the department sends no results', async () => {
    const a = await adapter({ awaitResults: false });
    expect(await deliver(a, newId(), { 流水号: 'x', 申请人: { 姓名: '张三' } })).toMatchObject({
      kind: 'permanent',
      errorClass: 'InvalidRecord',
    });
    const outcome = await deliver(a, newId(), [dpfSampleRecord(newId()), dpfSampleRecord(newId())]);
    expect(outcome).toMatchObject({ kind: 'delivered', receipt: {} });
    await sim.waitFor((s) => s.recordsReceived === 2);
  });

  it('turns result rows into reports (accept, reject, resend, approve) and archives each file once', async () => {
    const a = await adapter();
    const [ok, bad, again] = [newId(), newId(), newId()];
    sim.rejectIds([bad], '残疾等级与证件不符');
    sim.resendIds([again]);
    for (const id of [ok, bad, again])
      expect((await deliver(a, id, dpfSampleRecord(id))).kind).toBe('queued');
    await sim.waitFor((s) => s.resultFilesWritten === 3);

    const reports = await collectUntil(a, 3);
    const byId = new Map(reports.map((r) => [r.deliveryId, r]));
    expect(byId.get(ok)).toMatchObject({
      status: 'ACCEPTED',
      remark: '已受理',
      receipt: { reference: sim.registry.businessNo(ok) },
    });
    expect(byId.get(ok)?.receipt?.fields).toMatchObject({ 流水号: ok, 处理结果: '01' });
    expect(byId.get(ok)?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+08:00$/);
    expect(byId.get(bad)).toMatchObject({ status: 'REJECTED', remark: '残疾等级与证件不符' });
    expect(byId.get(bad)?.resend).toBeUndefined();
    expect(byId.get(again)).toMatchObject({ status: 'RESEND', resend: true });

    // Files stay in place until the next collect: the caller has applied their rows by then.
    expect((await readdir(sim.resultsDir)).length).toBeGreaterThan(0);
    expect(await a.collectResults(new AbortController().signal)).toEqual([]);
    expect(await readdir(sim.resultsDir)).toEqual([]);
    expect(await readdir(join(root, 'archive'))).toHaveLength(3);
    // A restarted adapter does not see archived files either.
    expect(await (await adapter()).collectResults(new AbortController().signal)).toEqual([]);

    await sim.approve([ok]);
    expect(await collectUntil(a, 1)).toEqual([
      expect.objectContaining({ deliveryId: ok, status: 'APPROVED' }),
    ]);
  });

  it('does not pick up a result file the department is still writing', async () => {
    const a = await adapter({ results: { statusColumn: '处理结果', statusMap: STATUS_MAP, settleMs: 400 } });
    sim.setResultWriting({ mode: 'two-part', pauseMs: 1_200 });
    const id = newId();
    await deliver(a, id, dpfSampleRecord(id));

    let sawPartial = false;
    const reports: DepartmentStatusReport[] = [];
    const deadline = Date.now() + 10_000;
    while (reports.length === 0 && Date.now() < deadline) {
      const present = (await readdir(sim.resultsDir)).some((n) => n.startsWith('RESULT_'));
      const complete = sim.stats().resultFilesWritten === 1;
      const got = await a.collectResults(new AbortController().signal);
      if (present && !complete) {
        sawPartial = true;
        expect(got).toEqual([]);
      }
      reports.push(...got);
      await sleep(50);
    }
    expect(sawPartial).toBe(true);
    expect(reports).toEqual([expect.objectContaining({ deliveryId: id, status: 'ACCEPTED' })]);
    expect(reports[0].receipt?.fields).toMatchObject({ 备注: '已受理' });
  });

  it('follows fault modes switched through the control endpoint', async () => {
    const a = await adapter();
    const control = sim.controlUrl!;
    const post = (path: string, body: unknown) =>
      fetch(`${control}/${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });

    expect((await post('fault', { mode: 'down' })).status).toBe(204);
    const id = newId();
    await deliver(a, id, dpfSampleRecord(id));
    await sleep(200);
    const stats = (await (await fetch(`${control}/stats`)).json()) as {
      filesReceived: number;
      fault: { mode: string };
    };
    expect(stats).toMatchObject({ filesReceived: 0, fault: { mode: 'down' } });

    expect((await post('fault', { mode: 'always-reject' })).status).toBe(204);
    expect(await collectUntil(a, 1)).toEqual([
      expect.objectContaining({ deliveryId: id, status: 'REJECTED' }),
    ]);
    expect((await post('fault', { mode: 'slow', delayMs: 300 })).status).toBe(204);
    const slowId = newId();
    const sentAt = Date.now();
    await deliver(a, slowId, dpfSampleRecord(slowId));
    await sim.waitFor(() => sim.registry.row(slowId) !== undefined);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(290);
    expect((await post('fault', { mode: 'sideways' })).status).toBe(400);
    expect((await a.healthCheck(new AbortController().signal)).ok).toBe(true);
  });
});
