import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { readFile } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import type { DepartmentConfig } from '../../config/model/department-config';
import { Adapter } from '../sdk/adapter.decorator';
import type { AdapterContext, AdapterFactory } from '../sdk/adapter-factory';
import { delivered, permanent, transient, type DeliveryOutcome } from '../sdk/delivery-outcome';
import type {
  AdapterHealth,
  DepartmentAdapter,
  DeliveryRequest,
  DepartmentStatusReport,
  RenderedMessage,
} from '../sdk/department-adapter';
import { EgressDeniedError } from '../sdk/egress-guard';
import { BatchAccumulator } from './batch-accumulator';
import { BatchJournal } from './batch-journal';
import { DirectoryFileStore } from './directory-file-store';
import { FileDropAdapterOptions } from './file-drop-adapter.options';
import { renderFileName, tempNameFor } from './file-name';
import type { FileStore } from './file-store';
import { toRecords, type FlatRecord } from './flat-record';
import { checkRecordsEncodable, encodeText, unencodableReason } from './record-encoder';
import { decode as decodeBytes } from 'iconv-lite';
import { fileText, serializeRecords, type SerializedFile, type SerializeSettings } from './record-serializer';
import { ResultCollector } from './result-collector';
import { SftpFileStore } from './sftp-file-store';
import { SftpSession, SftpTimeoutError } from './sftp-session';

type Log = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface FileDropAdapterDeps {
  options: FileDropAdapterOptions;
  department: DepartmentConfig;
  store: FileStore;
  /** Required in batch mode. */
  journal?: BatchJournal;
  /** Paths joined the store's way (posix for SFTP). */
  join(...parts: string[]): string;
  log: Log;
}

type Prepared =
  { ok: true; records: FlatRecord[]; file: SerializedFile } | { ok: false; outcome: DeliveryOutcome };

/** Delivers records as files into a department inbox (directory or SFTP) and reads its result files back. */
export class FileDropAdapter implements DepartmentAdapter {
  private readonly settings: SerializeSettings;
  private readonly batch?: BatchAccumulator;
  private readonly collector?: ResultCollector;
  private collecting: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private closed = false;

  constructor(private readonly deps: FileDropAdapterDeps) {
    const { options, store, log } = deps;
    this.settings = {
      format: options.format,
      encoding: options.encoding,
      csv: options.csv,
      xml: options.xml,
    };
    if (options.mode === 'batch') {
      if (!deps.journal) throw new Error('file-drop batch mode needs a batch journal');
      this.batch = new BatchAccumulator({
        store,
        journal: deps.journal,
        dir: options.target.path,
        options: options.batch,
        settings: this.settings,
        encode: (text) => this.encode(text),
        fileName: (batchId) => this.fileName(batchId, batchId),
        landed: (sent) => this.landed(sent),
        failure: (error) => this.failure(error),
        log,
      });
    }
    if (options.resultsPath) {
      this.collector = new ResultCollector({
        store,
        resultsDir: options.resultsPath,
        archiveDir: options.archivePath ?? deps.join(options.resultsPath, 'archive'),
        settings: this.settings,
        options: options.results,
        timeZone: deps.department.timeZone,
        log,
      });
    }
  }

  async deliver(request: DeliveryRequest): Promise<DeliveryOutcome> {
    if (this.closed) return transient('file-drop adapter is closed');
    const prepared = this.prepare(request.message);
    if (!prepared.ok) return prepared.outcome;
    if (this.batch) return this.batch.add(request.deliveryId, prepared.records, request.signal);

    const { store, options } = this.deps;
    const dir = options.target.path;
    const bytes = this.encode(fileText(prepared.file));
    const name = this.fileName(request.deliveryId, request.deliveryId);
    const temp = tempNameFor(name);
    try {
      await store.writeTemp(dir, temp, bytes, request.signal);
    } catch (error) {
      return this.failure(error);
    }
    try {
      await store.commit(dir, temp, name);
    } catch (error) {
      // The temp file tells whether the rename happened after all.
      const removed = await store.remove(dir, temp).catch(() => undefined);
      if (removed === false) return this.landed(bytes);
      return this.failure(error, bytes, removed === undefined || error instanceof SftpTimeoutError);
    }
    return this.landed(bytes);
  }

  /** The file deliver would write for this message, encoded, with nothing written. */
  async render(request: { deliveryId: string; message: unknown }): Promise<RenderedMessage> {
    const prepared = this.prepare(request.message);
    if (!prepared.ok)
      throw new Error(prepared.outcome.kind === 'permanent' ? prepared.outcome.reason : 'cannot encode');
    const bytes = this.encode(fileText(prepared.file));
    const { format, encoding } = this.deps.options;
    const type = format === 'csv' ? 'text/csv' : format === 'xml' ? 'application/xml' : 'application/json';
    return {
      contentType: `${type}; charset=${encoding}`,
      text: decodeBytes(bytes, encoding),
      base64: bytes.toString('base64'),
    };
  }

  async collectResults(signal: AbortSignal): Promise<DepartmentStatusReport[]> {
    const collector = this.collector;
    if (!collector || this.closed) return [];
    // One pass at a time, or two passes could read the same file before either archives it.
    const run = this.collecting.then(() => collector.collect(signal));
    this.collecting = run.catch(() => undefined);
    return run;
  }

  async healthCheck(signal: AbortSignal): Promise<AdapterHealth> {
    const { store, options } = this.deps;
    try {
      await store.probe(options.target.path, signal);
      if (options.resultsPath) await store.list(options.resultsPath);
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: (error as Partial<Error> | undefined)?.message ?? String(error) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.batch?.close();
    await this.collecting;
    await this.deps.store.close();
  }

  /** Everything that can be refused is refused here, before any byte leaves. */
  private prepare(message: unknown): Prepared {
    const parsed = toRecords(message);
    if (!parsed.ok) return { ok: false, outcome: permanent(parsed.reason, { errorClass: 'InvalidRecord' }) };
    const { options } = this.deps;
    if (options.unencodable === 'fail') {
      const found = checkRecordsEncodable(parsed.records, options.encoding);
      if (found) {
        return {
          ok: false,
          outcome: permanent(unencodableReason(found, options.encoding), {
            errorClass: 'UnencodableCharacter',
          }),
        };
      }
    }
    const serialized = serializeRecords([parsed.records], this.settings);
    if (!serialized.ok)
      return { ok: false, outcome: permanent(serialized.reason, { errorClass: 'InvalidRecord' }) };
    return { ok: true, records: parsed.records, file: serialized.file };
  }

  private encode(text: string): Buffer {
    const { encoding, unencodable, format } = this.deps.options;
    return encodeText(text, encoding, unencodable, format === 'json' ? 'json' : 'ncr');
  }

  private fileName(deliveryId: string, batchId: string): string {
    const date = DateTime.now().setZone(this.deps.department.timeZone).toFormat('yyyyMMdd');
    this.seq += 1;
    return renderFileName(this.deps.options.fileName, {
      deliveryId,
      batchId,
      date,
      seq: String(this.seq).padStart(6, '0'),
    });
  }

  private landed(sent?: Buffer): DeliveryOutcome {
    const exchange = sent ? { sent } : undefined;
    return this.deps.options.awaitResults ? { kind: 'queued', exchange } : delivered({}, exchange);
  }

  /** `sent` only once the bytes reached the inbox (as a temp file): a refused connection sent nothing. */
  private failure(error: unknown, sent?: Buffer, ambiguous = false): DeliveryOutcome {
    if (error instanceof EgressDeniedError) {
      // Configuration, not weather: retrying cannot help until allowedHosts changes.
      return permanent(error.message, { errorClass: 'EgressDenied' });
    }
    const { code, name, message } = (
      typeof error === 'object' && error !== null ? error : {}
    ) as Partial<NodeJS.ErrnoException>;
    const errorClass = code ?? name ?? 'Error';
    const reason = message ?? String(error);
    return transient(`file not placed in the inbox: ${reason}`, {
      errorClass: String(errorClass),
      ambiguous,
      exchange: sent ? { sent } : undefined,
    });
  }
}

const DAY_MS = 86_400_000;

/** `adapter.type: file-drop`: files into a department inbox (directory or SFTP), result files back. */
@Adapter('file-drop')
@Injectable()
export class FileDropAdapterFactory implements AdapterFactory<FileDropAdapterOptions> {
  readonly optionsClass = FileDropAdapterOptions;

  async create(context: AdapterContext<FileDropAdapterOptions>): Promise<FileDropAdapter> {
    const { options, department, egress, configDir, log } = context;
    const { target } = options;
    let store: FileStore = new DirectoryFileStore();
    if (target.type === 'sftp') {
      const key = target.privateKeyFile
        ? await readFile(resolve(configDir, target.privateKeyFile))
        : undefined;
      store = new SftpFileStore(new SftpSession(target, key, egress, log));
    }
    let journal: BatchJournal | undefined;
    if (options.mode === 'batch') {
      const stateDir = options.batch.stateDir ?? join('.tongban', 'state', 'file-drop', department.code);
      journal = await BatchJournal.open(stateDir, options.batch.journalRetentionDays * DAY_MS);
      if (options.batch.maxWaitMs >= department.delivery.timeoutMs) {
        log(
          'warn',
          'batch.maxWaitMs is not below delivery.timeoutMs: deliveries time out before their batch is written',
          {
            maxWaitMs: options.batch.maxWaitMs,
            timeoutMs: department.delivery.timeoutMs,
          },
        );
      }
    }
    const joinPath = target.type === 'sftp' ? posix.join : join;
    return new FileDropAdapter({ options, department, store, journal, join: joinPath, log });
  }
}
