export interface GroupCommitOptions {
  maxBatch: number;
  maxInFlight: number;
  /**
   * Waits this long before writing a batch that is not full, to gather more items into it. Only for
   * background work nobody waits on (it adds up to this much latency): fewer, larger commits.
   */
  lingerMs?: number;
}

/**
 * Group commit: callers submit one item each; items that arrive while earlier batches are in flight
 * are written together in the next batch. One caller alone is written at once (no added latency,
 * unless `lingerMs` asks for it); under load, one transaction (and one log flush) carries many items.
 */
export class GroupCommit<I, O> {
  private queue: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private inFlight = 0;
  private lingering?: NodeJS.Timeout;

  constructor(
    /** Writes a batch; returns one result per item, in order. Throwing fails every item of the batch. */
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(lingered = false): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      if (this.options.lingerMs && !lingered && this.queue.length < this.options.maxBatch) {
        this.lingering ??= setTimeout(() => {
          this.lingering = undefined;
          this.drain(true);
        }, this.options.lingerMs);
        return;
      }
      lingered = false;
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      this.write(batch.map((b) => b.item))
        .then(
          (results) => batch.forEach((b, i) => b.resolve(results[i])),
          (error: unknown) => batch.forEach((b) => b.reject(error)),
        )
        .finally(() => {
          this.inFlight -= 1;
          this.drain();
        });
    }
  }
}
