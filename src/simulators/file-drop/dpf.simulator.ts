import { appendFile, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DpfControlServer } from './dpf-control-server';
import type { DpfFaultSpec } from './dpf-fault-modes';
import { parseInboxFile, resultFileBytes, shanghaiTimes, type DpfResultRow } from './dpf-files';
import { DpfRegistry, type InvalidInboxFile } from './dpf-registry';
import { SftpServer, type SftpServerStats } from './sftp-server';

export interface DpfSimulatorOptions {
  /** The department's folder: `inbox/`, `results/`, `processed/`, `error/` live under it. */
  rootDir: string;
  /** Default 50 ms. */
  pollIntervalMs?: number;
  /** Serve the inbox and results over SFTP (OpenSSH sftp-server starting in rootDir). */
  sftp?: { username: string; password: string; port?: number };
  /** Control endpoint port; default 0 (a free port), false for none. */
  controlPort?: number | false;
}

export interface DpfSimulatorStats {
  filesReceived: number;
  recordsReceived: number;
  uniqueIds: number;
  /** Records whose 流水号 had arrived before: must stay 0 for exactly-once delivery. */
  duplicates: number;
  duplicateIds: string[];
  /** Files the importer could not read (a partial file lands here). */
  invalidFiles: InvalidInboxFile[];
  resultFilesWritten: number;
  fault: DpfFaultSpec;
  sftp?: SftpServerStats;
}

/** `atomic`: temp name then rename. `two-part`: half the bytes under the final name, a pause, the rest. */
export type ResultWriting = { mode: 'atomic' } | { mode: 'two-part'; pauseMs: number };

const isTemp = (name: string): boolean => name.startsWith('.') || /\.(part|tmp)$/i.test(name);

/**
 * The DPF department (docs/demo-departments.md): polls its inbox for GBK CSV files, validates and
 * records them, answers with GBK `RESULT_<timestamp>.csv` files. Fault modes switch at run time.
 */
export class DpfSimulator {
  readonly registry = new DpfRegistry();
  readonly inboxDir: string;
  readonly resultsDir: string;
  readonly processedDir: string;
  readonly errorDir: string;
  private fault: DpfFaultSpec = { mode: 'none' };
  private readonly rejects = new Map<string, string>();
  private readonly resends = new Set<string>();
  private resultWriting: ResultWriting = { mode: 'atomic' };
  private resultFilesWritten = 0;
  private resultSeq = 0;
  private readonly writes = new Set<Promise<void>>();
  private pollTimer?: NodeJS.Timeout;
  private polling: Promise<unknown> = Promise.resolve();
  private running = false;
  private sftp?: SftpServer;
  private control?: DpfControlServer;

  constructor(private readonly options: DpfSimulatorOptions) {
    this.inboxDir = join(options.rootDir, 'inbox');
    this.resultsDir = join(options.rootDir, 'results');
    this.processedDir = join(options.rootDir, 'processed');
    this.errorDir = join(options.rootDir, 'error');
  }

  async start(): Promise<void> {
    for (const dir of [this.inboxDir, this.resultsDir, this.processedDir, this.errorDir])
      await mkdir(dir, { recursive: true });
    if (this.options.sftp) {
      this.sftp = new SftpServer({ rootDir: this.options.rootDir, ...this.options.sftp });
      await this.sftp.start();
    }
    if (this.options.controlPort !== false) {
      this.control = new DpfControlServer({
        setFault: (spec) => this.setFault(spec),
        stats: () => this.stats(),
        rejectIds: (ids, remark) => this.rejectIds(ids, remark),
        resendIds: (ids) => this.resendIds(ids),
        approveIds: (ids, remark) => this.approve(ids, remark),
        reset: () => this.reset(),
      });
      await this.control.start(this.options.controlPort ?? 0);
    }
    this.running = true;
    this.schedule();
  }

  get sftpPort(): number | undefined {
    return this.sftp?.port;
  }

  get sftpHostFingerprint(): string | undefined {
    return this.sftp?.hostFingerprint;
  }

  /** `http://127.0.0.1:<port>/__control` */
  get controlUrl(): string | undefined {
    return this.control?.url;
  }

  setFault(spec: DpfFaultSpec): void {
    this.fault = { ...spec };
    this.sftp?.setRefusing(spec.mode === 'down');
  }

  /** These ids are answered `03` with the remark. */
  rejectIds(ids: string[], remark = '材料不全，不予受理'): void {
    for (const id of ids) this.rejects.set(id, remark);
  }

  /** These ids are answered `02` (resend) once; the next delivery of them is accepted. */
  resendIds(ids: string[]): void {
    for (const id of ids) this.resends.add(id);
  }

  setResultWriting(writing: ResultWriting): void {
    this.resultWriting = { ...writing };
  }

  stats(): DpfSimulatorStats {
    const r = this.registry;
    return {
      filesReceived: r.filesReceived,
      recordsReceived: r.recordsReceived,
      uniqueIds: r.uniqueIds,
      duplicates: r.duplicateIds.length,
      duplicateIds: [...r.duplicateIds],
      invalidFiles: [...r.invalidFiles],
      resultFilesWritten: this.resultFilesWritten,
      fault: { ...this.fault },
      sftp: this.sftp?.stats(),
    };
  }

  reset(): void {
    this.registry.reset();
    this.rejects.clear();
    this.resends.clear();
    this.resultFilesWritten = 0;
    this.setFault({ mode: 'none' });
    this.resultWriting = { mode: 'atomic' };
  }

  /** Polls until the predicate holds on the stats; throws with the last stats after timeoutMs. */
  async waitFor(
    predicate: (stats: DpfSimulatorStats) => boolean,
    timeoutMs = 10_000,
  ): Promise<DpfSimulatorStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = this.stats();
      if (predicate(stats)) return stats;
      if (Date.now() > deadline)
        throw new Error(`DPF simulator: condition not met; stats ${JSON.stringify(stats)}`);
      await sleep(20);
    }
  }

  /** Writes a result file (e.g. `04` approvals later on); resolves once it is complete. */
  async writeResultFile(rows: DpfResultRow[]): Promise<string> {
    const name = `RESULT_${shanghaiTimes(new Date()).stamp}_${String(++this.resultSeq).padStart(4, '0')}.csv`;
    const bytes = resultFileBytes(rows);
    const path = join(this.resultsDir, name);
    if (this.resultWriting.mode === 'two-part') {
      const half = Math.floor(bytes.length / 2);
      await writeFile(path, bytes.subarray(0, half));
      await sleep(this.resultWriting.pauseMs);
      await appendFile(path, bytes.subarray(half));
    } else {
      await writeFile(join(this.resultsDir, `.${name}.tmp`), bytes);
      await rename(join(this.resultsDir, `.${name}.tmp`), path);
    }
    this.resultFilesWritten += 1;
    return name;
  }

  /** Answers `04` (approved) for ids received earlier. */
  async approve(ids: string[], remark = '审核通过'): Promise<string> {
    const time = shanghaiTimes(new Date()).display;
    return this.writeResultFile(
      ids.map((id) => ({
        流水号: id,
        处理结果: '04',
        业务编号: this.registry.businessNo(id) ?? '',
        备注: remark,
        处理时间: time,
      })),
    );
  }

  /** Processes the inbox now (also runs on the poll timer); resolves to the number of files read. */
  async pollOnce(): Promise<number> {
    const run = this.polling.then(() => this.scanInbox());
    this.polling = run.catch(() => undefined);
    return run;
  }

  /** Waits for result files still being written (two-part mode). */
  async settled(): Promise<void> {
    await this.polling;
    await Promise.all([...this.writes]);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.pollTimer);
    await this.settled();
    await this.control?.stop();
    await this.sftp?.stop();
  }

  private schedule(): void {
    if (!this.running) return;
    this.pollTimer = setTimeout(() => {
      void this.pollOnce()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.options.pollIntervalMs ?? 50);
  }

  private async scanInbox(): Promise<number> {
    if (this.fault.mode === 'down') return 0;
    const entries = await readdir(this.inboxDir, { withFileTypes: true });
    const names = entries.filter((e) => e.isFile() && !isTemp(e.name)).map((e) => e.name);
    for (const name of names.sort()) {
      if (this.fault.mode === 'slow') await sleep(this.fault.delayMs ?? 1_000);
      await this.processFile(name);
    }
    return names.length;
  }

  private async processFile(name: string): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(this.inboxDir, name));
    } catch {
      return; // gone meanwhile
    }
    // Counted only after the move, so a test seeing the count finds the file in processed/ or error/.
    const parsed = parseInboxFile(bytes);
    await this.moveOut(name, parsed.ok ? this.processedDir : this.errorDir);
    this.registry.filesReceived += 1;
    if (!parsed.ok) {
      this.registry.invalidFiles.push({ file: name, reason: parsed.reason });
      return;
    }
    const times = shanghaiTimes(new Date());
    const results = parsed.rows.map((row) => {
      const { businessNo } = this.registry.record(row, times.day);
      return this.decide(row['流水号'], businessNo, times.display);
    });
    const write = this.writeResultFile(results).then(
      () => undefined,
      () => undefined,
    );
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private decide(id: string, businessNo: string, time: string): DpfResultRow {
    const rejected = this.fault.mode === 'always-reject' ? '材料不全，不予受理' : this.rejects.get(id);
    if (rejected !== undefined)
      return { 流水号: id, 处理结果: '03', 业务编号: '', 备注: rejected, 处理时间: time };
    if (this.resends.delete(id))
      return { 流水号: id, 处理结果: '02', 业务编号: '', 备注: '数据有误，请重新报送', 处理时间: time };
    return { 流水号: id, 处理结果: '01', 业务编号: businessNo, 备注: '已受理', 处理时间: time };
  }

  /** Keeps every received file (processed/ or error/) for byte-level checks; never overwrites. */
  private async moveOut(name: string, dir: string): Promise<void> {
    let target = join(dir, name);
    for (
      let n = 1;
      await stat(target).then(
        () => true,
        () => false,
      );
      n++
    )
      target = join(dir, `${name}.${n}`);
    await rename(join(this.inboxDir, name), target);
  }
}
