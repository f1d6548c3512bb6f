import { crc32 } from 'node:zlib';
import type { DeliveryRow, OutcomeRow, Row, StatusCount } from '../stats-store';
import { DurationHistogram, encodeHistogram } from './duration-histogram';
import type { FiguresKind } from './rollup-statements';

/** One group's figures, summed from any number of days and live rows. */
export class GroupTally {
  readonly statuses = new Map<string, StatusCount>();
  deadLettered = 0;
  readonly final = new DurationHistogram();
  readonly receipt = new DurationHistogram();

  addStatus(status: string, count: number, eligible: number, onTime: number): void {
    const known = this.statuses.get(status);
    if (known) {
      known.count += count;
      known.eligible += eligible;
      known.onTime += onTime;
    } else {
      this.statuses.set(status, { status, count, eligible, onTime });
    }
  }
}

/** The stored form of a tally: a stats_rollup_groups row without its key columns. */
export interface StoredTally {
  statuses: string;
  dead_lettered: number;
  final_histogram: Buffer;
  receipt_histogram: Buffer;
}

/** Tallies by group key. */
export class GroupTallies {
  private readonly byKey = new Map<string, GroupTally>();

  of(key: string): GroupTally {
    let tally = this.byKey.get(key);
    if (!tally) {
      tally = new GroupTally();
      this.byKey.set(key, tally);
    }
    return tally;
  }

  entries(): IterableIterator<[string, GroupTally]> {
    return this.byKey.entries();
  }

  /** Rows of a figures statement; a NULL key is a delivery without its case's attributes (skipped, as live). */
  addRows(kind: FiguresKind, rows: readonly Row[]): void {
    for (const row of rows) {
      if (row.gk === null) continue;
      const tally = this.of(String(row.gk));
      const n = Number(row.n);
      if (kind === 'statuses') tally.addStatus(String(row.st), n, Number(row.eligible), Number(row.on_time));
      else if (kind === 'dead') tally.deadLettered += n;
      else tally[kind].add(Number(row.b), n);
    }
  }

  addStored(key: string, stored: StoredTally): void {
    const tally = this.of(key);
    for (const [status, count, eligible, onTime] of JSON.parse(stored.statuses) as number[][])
      tally.addStatus(String(status), count, eligible, onTime);
    tally.deadLettered += Number(stored.dead_lettered);
    tally.final.addEncoded(stored.final_histogram);
    tally.receipt.addEncoded(stored.receipt_histogram);
  }

  /**
   * Groups of the counted unit (those with a status count), statuses in the order the live query
   * returns them (by the CRC32 it groups on).
   */
  outcomes(): OutcomeRow[] {
    return [...this.byKey]
      .filter(([, tally]) => tally.statuses.size > 0)
      .map(([key, tally]) => ({
        key,
        statuses: [...tally.statuses.values()].sort((a, b) => crc32(a.status) - crc32(b.status)),
        toFinal: tally.final.summary(),
      }));
  }

  deliveries(): DeliveryRow[] {
    return [...this.byKey].map(([key, tally]) => ({
      key,
      toDelivery: tally.receipt.summary(),
      deadLettered: tally.deadLettered,
    }));
  }
}

export function storedTally(tally: GroupTally): StoredTally {
  return {
    statuses: JSON.stringify(
      [...tally.statuses.values()].map((s) => [s.status, s.count, s.eligible, s.onTime]),
    ),
    dead_lettered: tally.deadLettered,
    final_histogram: encodeHistogram(tally.final),
    receipt_histogram: encodeHistogram(tally.receipt),
  };
}
