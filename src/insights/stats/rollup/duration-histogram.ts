import type { DurationSummary } from '../stats-store';

/**
 * A histogram of durations in the live query's buckets (whole seconds truncated to 3 significant
 * digits: 0…999, then 100 values per power of ten), counted in a dense array indexed in bucket
 * order. Summing a year of daily histograms is an array addition; ranking walks ≤ 10k slots.
 */
export class DurationHistogram {
  private counts = new Float64Array(1_000);
  private total = 0;

  add(bucket: number, n: number): void {
    const slot = slotOf(bucket);
    if (slot >= this.counts.length) this.grow(slot);
    this.counts[slot] += n;
    this.total += n;
  }

  /** Adds an encoded histogram (see `encodeHistogram`). */
  addEncoded(encoded: Buffer): void {
    // A copy is aligned for a Uint32Array view (the driver's buffers are slices at any offset).
    const words = new Uint32Array(new Uint8Array(encoded).buffer, 0, encoded.length >>> 2);
    for (let at = 0; at + 1 < words.length; at += 2) {
      const slot = words[at];
      if (slot >= this.counts.length) this.grow(slot);
      this.counts[slot] += words[at + 1];
      this.total += words[at + 1];
    }
  }

  /**
   * Nearest rank, as the live SQL ranks: the p-quantile is the first bucket whose running count
   * reaches ceil(p × total). Ranks in integers (ceil(9 × total / 10)), as MariaDB's exact decimals do.
   */
  summary(): DurationSummary {
    if (this.total === 0) return { count: 0, medianSeconds: null, p90Seconds: null };
    const rank50 = Math.floor((this.total + 1) / 2);
    const rank90 = Math.floor((this.total * 9 + 9) / 10);
    let median: number | null = null;
    let running = 0;
    for (let slot = 0; slot < this.counts.length; slot++) {
      if (this.counts[slot] === 0) continue;
      running += this.counts[slot];
      if (median === null && running >= rank50) median = bucketOf(slot);
      if (running >= rank90) return { count: this.total, medianSeconds: median, p90Seconds: bucketOf(slot) };
    }
    throw new Error('histogram ranks beyond its total');
  }

  /** (slot, count) of every slot with a count, in bucket order. */
  slots(): Array<[number, number]> {
    const slots: Array<[number, number]> = [];
    for (let slot = 0; slot < this.counts.length; slot++)
      if (this.counts[slot] > 0) slots.push([slot, this.counts[slot]]);
    return slots;
  }

  private grow(slot: number): void {
    const counts = new Float64Array(Math.max(slot + 1, this.counts.length * 2));
    counts.set(this.counts);
    this.counts = counts;
  }
}

/**
 * (slot, count) pairs as uint32s in the machine's byte order (little-endian on every platform
 * Node supports): what stats_rollup_groups stores. Slots, not buckets, so summing needs no math.
 */
export function encodeHistogram(histogram: DurationHistogram): Buffer {
  const pairs = histogram.slots();
  const words = new Uint32Array(pairs.length * 2);
  pairs.forEach(([slot, n], i) => {
    words[2 * i] = slot;
    words[2 * i + 1] = n;
  });
  return Buffer.from(words.buffer);
}

/** 0…999 as themselves; then per power of ten 900 slots for the mantissas 100…999. */
export function slotOf(bucket: number): number {
  if (bucket < 1_000) return bucket;
  const digits = String(bucket).length;
  const mantissa = Math.floor(bucket / 10 ** (digits - 3));
  return 1_000 + (digits - 4) * 900 + (mantissa - 100);
}

export function bucketOf(slot: number): number {
  if (slot < 1_000) return slot;
  const power = Math.floor((slot - 1_000) / 900);
  const mantissa = ((slot - 1_000) % 900) + 100;
  return mantissa * 10 ** (power + 1);
}
