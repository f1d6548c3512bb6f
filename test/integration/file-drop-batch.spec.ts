import { plainToInstance } from 'class-transformer';
import * as iconv from 'iconv-lite';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchJournal } from '../../src/adapters/file-drop/batch-journal';
import { DirectoryFileStore } from '../../src/adapters/file-drop/directory-file-store';
import { FileDropAdapter, FileDropAdapterFactory } from '../../src/adapters/file-drop/file-drop.adapter';
import { parseFileDropOptions } from '../../src/adapters/file-drop/file-drop-adapter.options';
import type { FileStore } from '../../src/adapters/file-drop/file-store';
import { createEgressGuard } from '../../src/adapters/network/egress-guard';
import type { DeliveryOutcome } from '../../src/adapters/sdk/delivery-outcome';
import { DepartmentConfig } from '../../src/config/model/department-config';
import { DpfSimulator } from '../../src/simulators/file-drop/dpf.simulator';
import { dpfSampleRecord } from '../../src/simulators/file-drop/dpf-sample';

const department = plainToInstance(
  DepartmentConfig,
  { code: 'DPF', name: '市残联', adapter: { type: 'file-drop', options: {} } },
  { exposeDefaultValues: true },
);

let root: string;
let sim: DpfSimulator;
const adapters: FileDropAdapter[] = [];
const ids = Array.from({ length: 8 }, (_, i) => `0193a0c4-2222-7c4b-9f1e-${String(i + 1).padStart(12, '0')}`);

const optionsFor = (batch: Record<string, unknown>) =>
  parseFileDropOptions({
    target: { type: 'directory', path: sim.inboxDir },
    encoding: 'gbk',
    fileName: 'TB_BATCH_{batchId}.csv',
    mode: 'batch',
    batch: { maxRecords: 3, maxWaitMs: 60_000, stateDir: join(root, 'state'), ...batch },
  });

async function adapter(batch: Record<string, unknown> = {}): Promise<FileDropAdapter> {
  const created = await new FileDropAdapterFactory().create({
    department,
    options: optionsFor(batch),
    egress: createEgressGuard('DPF', []),
    configDir: root,
    log: () => undefined,
  });
  adapters.push(created);
  return created;
}

/** An adapter over a store that fails the way a crash would leave things. */
async function crashingAdapter(
  commit: (store: FileStore, dir: string, temp: string, name: string) => Promise<void>,
) {
  const real = new DirectoryFileStore();
  const store: FileStore = Object.assign(Object.create(real) as FileStore, {
    commit: (dir: string, temp: string, name: string) => commit(real, dir, temp, name),
    remove: () => Promise.reject(new Error('process gone')),
  });
  const options = optionsFor({});
  const journal = await BatchJournal.open(options.batch.stateDir!, 86_400_000);
  const created = new FileDropAdapter({ options, department, store, journal, join, log: () => undefined });
  adapters.push(created);
  return created;
}

const deliver = (a: FileDropAdapter, deliveryId: string): Promise<DeliveryOutcome> =>
  a.deliver({
    deliveryId,
    caseId: 'c',
    department: 'DPF',
    attempt: 1,
    message: dpfSampleRecord(deliveryId),
    signal: new AbortController().signal,
  });

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tongban-dpf-batch-'));
  sim = new DpfSimulator({ rootDir: root, pollIntervalMs: 10 });
  await sim.start();
});

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  await sim.stop();
  await rm(root, { recursive: true, force: true });
});

describe('file-drop batch mode', () => {
  it('answers queued only once the batch file is in place; each share is part of the file', async () => {
    const a = await adapter({ maxRecords: 10, maxWaitMs: 200 });
    const started = Date.now();
    const outcomes = await Promise.all(ids.slice(0, 2).map((id) => deliver(a, id)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(outcomes.map((o) => o.kind)).toEqual(['queued', 'queued']);
    await sim.waitFor((s) => s.uniqueIds === 2);
    const [name] = await readdir(sim.processedDir);
    expect(name).toMatch(/^TB_BATCH_[0-9a-f]{16}\.csv$/);
    const file = iconv.decode(await readFile(join(sim.processedDir, name)), 'gbk');
    const share = iconv.decode(outcomes[1].exchange!.sent!, 'gbk');
    expect(share.split('\r\n')).toHaveLength(3); // header, own row, ''
    for (const line of share.split('\r\n')) expect(file).toContain(line);
    expect(share).toContain(ids[1]);
    expect(share).not.toContain(ids[0]);
  });

  it('loses and doubles nothing when the adapter dies mid-batch and the engine redelivers everything', async () => {
    const first = await adapter();
    const firstRound = ids.slice(0, 5).map((id) => deliver(first, id));
    const landed = await Promise.all(firstRound.slice(0, 3));
    expect(landed.map((o) => o.kind)).toEqual(['queued', 'queued', 'queued']);
    await first.close(); // the crash: records 4 and 5 were only in memory
    expect((await Promise.all(firstRound.slice(3))).map((o) => o.kind)).toEqual(['transient', 'transient']);

    // The engine never recorded any of the five (it crashed too) and redelivers them with a sixth.
    const second = await adapter();
    const outcomes = await Promise.all(ids.slice(0, 6).map((id) => deliver(second, id)));
    expect(outcomes.map((o) => o.kind)).toEqual(Array(6).fill('queued'));
    expect(outcomes.slice(0, 3).every((o) => o.exchange === undefined)).toBe(true);

    const stats = await sim.waitFor((s) => s.uniqueIds === 6);
    expect(stats).toMatchObject({ duplicates: 0, recordsReceived: 6, filesReceived: 2, invalidFiles: [] });
  });

  it('settles a batch a crash left between journal intent and rename: temp file still there → written again', async () => {
    const crashed = await crashingAdapter(() => Promise.reject(new Error('killed before rename')));
    const outcomes = await Promise.all(ids.slice(0, 3).map((id) => deliver(crashed, id)));
    expect(outcomes.map((o) => o.kind === 'transient' && o.ambiguous)).toEqual([true, true, true]);
    expect((await readdir(sim.inboxDir)).filter((n) => n.endsWith('.part'))).toHaveLength(1);

    const next = await adapter();
    const again = await Promise.all(ids.slice(0, 3).map((id) => deliver(next, id)));
    expect(again.every((o) => o.kind === 'queued' && o.exchange !== undefined)).toBe(true);
    expect(await sim.waitFor((s) => s.uniqueIds === 3)).toMatchObject({ duplicates: 0, filesReceived: 1 });
    expect((await readdir(sim.inboxDir)).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('settles a batch a crash left right after the rename: temp file gone → already landed, not written again', async () => {
    const crashed = await crashingAdapter(async (store, dir, temp, name) => {
      await store.commit(dir, temp, name);
      throw new Error('killed after rename');
    });
    const outcomes = await Promise.all(ids.slice(0, 3).map((id) => deliver(crashed, id)));
    expect(outcomes.every((o) => o.kind === 'transient' && o.ambiguous)).toBe(true);

    const next = await adapter();
    const pending = ids.slice(0, 4).map((id) => deliver(next, id));
    const again = await Promise.all(pending.slice(0, 3));
    expect(again.map((o) => o.kind === 'queued' && o.exchange)).toEqual([undefined, undefined, undefined]);
    await next.close(); // record 4 waits for a batch: answered transient
    expect((await pending[3]).kind).toBe('transient');
    expect(await sim.waitFor((s) => s.uniqueIds === 3)).toMatchObject({ duplicates: 0, filesReceived: 1 });
  });
});
