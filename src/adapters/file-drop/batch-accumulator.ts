import { createHash } from 'node:crypto';
import { transient, type DeliveryOutcome } from '../sdk/delivery-outcome';
import type { BatchJournal } from './batch-journal';
import type { FileStore } from './file-store';
import { tempNameFor } from './file-name';
import type { FlatRecord } from './flat-record';
import type { BatchOptions } from './file-drop-adapter.options';
import { fileText, serializeRecords, type SerializedFile, type SerializeSettings } from './record-serializer';

type Log = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface BatchDeps {
  store: FileStore;
  journal: BatchJournal;
  dir: string;
  options: BatchOptions;
  settings: SerializeSettings;
  /** Encodes serialized text into the bytes to send (encoding + unencodable policy). */
  encode(text: string): Buffer;
  /** The final file name for a batch id. */
  fileName(batchId: string): string;
  /** The outcome for a delivery whose rows are in a file now in place (sent: its share of the bytes). */
  landed(sent?: Buffer): DeliveryOutcome;
  /** The outcome for an I/O error before anything reached the inbox. */
  failure(error: unknown): DeliveryOutcome;
  log: Log;
}

interface Entry {
  deliveryId: string;
  records: FlatRecord[];
  resolve(outcome: DeliveryOutcome): void;
  detach(): void;
}

/** Same set of deliveries → same batch id → same file name and, sorted by id, the same bytes. */
export function batchIdFor(deliveryIds: string[]): string {
  return createHash('sha256')
    .update([...deliveryIds].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/*
 * Crash safety. deliver() resolves `queued` only after the batch file holding the record is renamed
 * into place, so anything the engine has not seen acknowledged is still unsent or already in a file.
 * The journal tells the two apart on redelivery: `intent` is written after the temp file is durable,
 * `done` after the rename. A redelivered id with `done` answers `queued` without writing (no double);
 * one with an open intent is settled by deleting the temp file: deleted → never landed, resend it;
 * absent → the rename happened, it landed. Records only in memory at a crash were never acknowledged,
 * so the engine redelivers them (no loss).
 */
export class BatchAccumulator {
  private pending: Entry[] = [];
  private pendingRecords = 0;
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  /** Settling an open intent must not interleave: a second remove() would misread the first one's work. */
  private checking: Promise<unknown> = Promise.resolve();
  private readonly byId = new Map<string, Promise<DeliveryOutcome>>();
  private closed = false;

  constructor(private readonly deps: BatchDeps) {}

  add(deliveryId: string, records: FlatRecord[], signal: AbortSignal): Promise<DeliveryOutcome> {
    // The engine may hand us the same delivery twice (a stalled job): both wait for one outcome.
    const known = this.byId.get(deliveryId);
    if (known) return known;
    const outcome = this.admit(deliveryId, records, signal).finally(() => this.byId.delete(deliveryId));
    this.byId.set(deliveryId, outcome);
    return outcome;
  }

  /** Records still waiting are answered transient (nothing written: the engine redelivers them). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const waiting = this.pending;
    this.pending = [];
    this.pendingRecords = 0;
    for (const entry of waiting) {
      entry.detach();
      entry.resolve(transient('file-drop adapter closed before the batch was written'));
    }
    await this.flushing;
  }

  private async admit(
    deliveryId: string,
    records: FlatRecord[],
    signal: AbortSignal,
  ): Promise<DeliveryOutcome> {
    try {
      if (await this.alreadyLanded(deliveryId)) {
        this.deps.log('info', 'redelivered record is already in a batch file; not written again', {
          deliveryId,
        });
        return this.deps.landed();
      }
    } catch (error) {
      return transient(`batch journal check failed: ${String(error)}`, { errorClass: 'BatchJournalError' });
    }
    if (this.closed) return transient('file-drop adapter is closed');
    if (signal.aborted) return transient('delivery aborted before it joined a batch');
    return new Promise<DeliveryOutcome>((resolve) => {
      const onAbort = (): void => {
        const index = this.pending.indexOf(entry);
        if (index < 0) return; // already being written: the flush answers
        this.pending.splice(index, 1);
        this.pendingRecords -= records.length;
        resolve(transient('delivery aborted before its batch was written'));
      };
      const entry: Entry = {
        deliveryId,
        records,
        resolve,
        detach: () => signal.removeEventListener('abort', onAbort),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.push(entry);
      this.pendingRecords += records.length;
      if (this.pendingRecords >= this.deps.options.maxRecords) this.flushNow();
      else if (this.pending.length === 1) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.flushNow(), this.deps.options.maxWaitMs);
        this.timer.unref();
      }
    });
  }

  private alreadyLanded(deliveryId: string): Promise<boolean> {
    const check = this.checking.then(() => this.checkJournal(deliveryId));
    this.checking = check.catch(() => undefined);
    return check;
  }

  private async checkJournal(deliveryId: string): Promise<boolean> {
    const { journal, store } = this.deps;
    await journal.refresh();
    for (const intent of journal.openIntents(deliveryId)) {
      // Left open by a crash: settle it now (see the comment above the class).
      if (await store.remove(intent.dir, intent.temp)) await journal.abort(intent.batch);
      else await journal.done(intent.batch);
    }
    return journal.landed(deliveryId);
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    const entries = this.pending;
    this.pending = [];
    this.pendingRecords = 0;
    if (entries.length === 0) return;
    for (const entry of entries) entry.detach();
    // One batch at a time keeps the journal and the {seq} order simple.
    this.flushing = this.flushing.then(() =>
      this.write(entries).catch((error: unknown) => {
        this.deps.log('error', 'batch write failed unexpectedly', { error: String(error) });
        this.answer(entries, transient(`batch write failed: ${String(error)}`));
      }),
    );
  }

  private async write(entries: Entry[]): Promise<void> {
    const { store, journal, dir, log } = this.deps;
    entries.sort((a, b) => (a.deliveryId < b.deliveryId ? -1 : a.deliveryId > b.deliveryId ? 1 : 0));
    const ids = entries.map((e) => e.deliveryId);
    const batch = batchIdFor(ids);
    const serialized = serializeRecords(
      entries.map((e) => e.records),
      this.deps.settings,
    );
    if (!serialized.ok)
      return this.answer(entries, transient(`batch serialization failed: ${serialized.reason}`));
    const file = this.deps.fileName(batch);
    const temp = tempNameFor(file);
    const bytes = this.deps.encode(fileText(serialized.file));
    try {
      await store.writeTemp(dir, temp, bytes);
      await journal.intent({ batch, dir, temp, file, ids });
    } catch (error) {
      await store.remove(dir, temp).catch(() => false);
      return this.answer(entries, this.deps.failure(error));
    }
    try {
      await store.commit(dir, temp, file);
    } catch (error) {
      const settled = await this.settleFailedCommit(batch, temp, error);
      if (settled) return this.answer(entries, settled);
    }
    await journal.done(batch).catch((error: unknown) => {
      // The rename happened; a later check finds the temp file gone and records it landed.
      log('error', 'batch journal: could not record done', { batch, error: String(error) });
    });
    log('info', 'batch file written', {
      batch,
      file,
      records: entries.reduce((n, e) => n + e.records.length, 0),
    });
    entries.forEach((entry, index) => entry.resolve(this.deps.landed(this.share(serialized.file, index))));
  }

  /** A failed rename either left the temp file (not landed) or happened after all (landed: undefined). */
  private async settleFailedCommit(
    batch: string,
    temp: string,
    error: unknown,
  ): Promise<DeliveryOutcome | undefined> {
    const { store, journal, dir } = this.deps;
    try {
      if (!(await store.remove(dir, temp))) return undefined;
      await journal.abort(batch);
      return transient(`batch file not renamed into place: ${String(error)}`);
    } catch {
      // Unknown: the intent stays open and is settled when one of these ids comes back.
      return transient(`batch rename outcome unknown: ${String(error)}`, { ambiguous: true });
    }
  }

  private share(file: SerializedFile, index: number): Buffer {
    return this.deps.encode(fileText(file, index));
  }

  private answer(entries: Entry[], outcome: DeliveryOutcome): void {
    for (const entry of entries) entry.resolve(outcome);
  }
}
