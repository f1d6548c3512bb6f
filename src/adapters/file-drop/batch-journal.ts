import { promises as fs } from 'node:fs';
import { join } from 'node:path';

export interface BatchIntent {
  op: 'intent';
  batch: string;
  dir: string;
  temp: string;
  file: string;
  ids: string[];
  at: number;
}

type JournalEntry = BatchIntent | { op: 'done' | 'abort'; batch: string; at: number };

interface BatchState {
  intent: BatchIntent;
  state: 'open' | 'done' | 'aborted';
}

const JOURNAL_FILE = 'batch-journal.jsonl';

/**
 * Write-ahead journal of batch files, as fsynced JSON lines on local disk:
 * `intent` (temp file fully written and flushed) → `done` (renamed into place) or `abort` (temp removed).
 * `done` is sticky. Other processes on the same host may share the file: reads pick up their lines.
 */
export class BatchJournal {
  private readonly batches = new Map<string, BatchState>();
  private readonly byDelivery = new Map<string, Set<string>>();
  private offset = 0;
  private inode = -1;

  private constructor(private readonly path: string) {}

  static async open(stateDir: string, retentionMs: number): Promise<BatchJournal> {
    await fs.mkdir(stateDir, { recursive: true });
    const journal = new BatchJournal(join(stateDir, JOURNAL_FILE));
    await journal.refresh();
    await journal.compact(Date.now() - retentionMs);
    return journal;
  }

  /** True once a batch holding this delivery was renamed into place. */
  landed(deliveryId: string): boolean {
    return this.statesFor(deliveryId).some((b) => b.state === 'done');
  }

  /** Batches with this delivery whose outcome a crash left unknown. */
  openIntents(deliveryId: string): BatchIntent[] {
    return this.statesFor(deliveryId)
      .filter((b) => b.state === 'open')
      .map((b) => b.intent);
  }

  intent(entry: Omit<BatchIntent, 'op' | 'at'>): Promise<void> {
    return this.append({ op: 'intent', at: Date.now(), ...entry });
  }

  done(batch: string): Promise<void> {
    return this.append({ op: 'done', batch, at: Date.now() });
  }

  abort(batch: string): Promise<void> {
    return this.append({ op: 'abort', batch, at: Date.now() });
  }

  /** Reads lines appended since the last call (by this or another process). */
  async refresh(): Promise<void> {
    let stat;
    try {
      stat = await fs.stat(this.path);
    } catch {
      return; // nothing journaled yet
    }
    if (stat.ino !== this.inode || stat.size < this.offset) {
      // Replaced by a compaction: read it whole. Folding is idempotent, so known entries do no harm.
      this.inode = stat.ino;
      this.offset = 0;
    }
    if (stat.size === this.offset) return;
    const handle = await fs.open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(stat.size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      // Only whole lines: another process may be in the middle of an append.
      const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
      for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) this.foldLine(line);
      this.offset += end;
    } finally {
      await handle.close();
    }
  }

  private statesFor(deliveryId: string): BatchState[] {
    return [...(this.byDelivery.get(deliveryId) ?? [])].flatMap((b) => this.batches.get(b) ?? []);
  }

  private async append(entry: JournalEntry): Promise<void> {
    // One write per line with O_APPEND keeps lines whole when processes share the journal.
    const handle = await fs.open(this.path, 'a', 0o600);
    try {
      await handle.write(JSON.stringify(entry) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.fold(entry);
  }

  private foldLine(line: string): void {
    if (line.trim() === '') return;
    try {
      this.fold(JSON.parse(line) as JournalEntry);
    } catch {
      // A torn last line from a crash mid-append: the step it records did not complete.
    }
  }

  private fold(entry: JournalEntry): void {
    if (entry.op === 'intent') {
      if (this.batches.has(entry.batch)) return;
      this.batches.set(entry.batch, { intent: entry, state: 'open' });
      for (const id of entry.ids) {
        const set = this.byDelivery.get(id) ?? new Set<string>();
        set.add(entry.batch);
        this.byDelivery.set(id, set);
      }
      return;
    }
    const batch = this.batches.get(entry.batch);
    if (!batch || batch.state === 'done') return;
    batch.state = entry.op === 'done' ? 'done' : 'aborted';
  }

  /** Drops batches older than the cutoff (redeliveries of them stopped long ago) by rewriting the journal. */
  private async compact(cutoff: number): Promise<void> {
    const old = [...this.batches.values()].filter((b) => b.intent.at < cutoff);
    if (old.length === 0) return;
    for (const { intent } of old) {
      this.batches.delete(intent.batch);
      for (const id of intent.ids) this.byDelivery.get(id)?.delete(intent.batch);
    }
    const lines = [...this.batches.values()].map(({ intent, state }) => {
      const status =
        state === 'open'
          ? ''
          : JSON.stringify({ op: state === 'done' ? 'done' : 'abort', batch: intent.batch, at: intent.at }) +
            '\n';
      return JSON.stringify(intent) + '\n' + status;
    });
    const temp = `${this.path}.${process.pid}.tmp`;
    await fs.writeFile(temp, lines.join(''), { mode: 0o600, flush: true });
    await fs.rename(temp, this.path);
    this.inode = -1;
    await this.refresh();
  }
}
