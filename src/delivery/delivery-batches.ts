import type { DataSource } from 'typeorm';
import { DeliveryStatus } from '../lifecycle/delivery-status';
import type { SqlPackets, Statement } from '../persistence/sql-packets';
import { GroupCommit } from '../persistence/group-commit';
import type {
  AttemptRecord,
  CaseEventInput,
  CaseStatusChange,
  DeliveryUpdate,
  DeliveryWork,
} from './delivery-records';
import {
  eventRow,
  eventsInsert,
  OPEN_STATUSES,
  truncate,
  updateStatement,
  type CaseRow,
  type DeliveryWrites,
  type EventRow,
  type SiblingRow,
} from './delivery-writes';

/** One finished attempt, as DeliveryStore.finishAttempt receives it. */
export interface FinishedAttempt {
  work: Pick<DeliveryWork, 'id' | 'caseId'>;
  attempt: AttemptRecord;
  update: DeliveryUpdate;
  event: CaseEventInput;
  recordHash: (prevHash: string | null) => string;
  now: Date;
}

interface Claim {
  id: string;
  seen: number;
  now: Date;
}

const list = (count: number) => Array(count).fill('?').join(', ');

/**
 * The delivery worker's reads and writes, grouped across the jobs running at the same time: with
 * 32 attempts in flight, one packet loads (or claims, or records) many deliveries, and one commit
 * (one log flush) covers them. Each job still gets its own answer, as if it had been alone.
 */
export class DeliveryBatches {
  private readonly loads = new GroupCommit<string, Record<string, unknown> | undefined>(
    (ids) => this.loadAll(ids),
    { maxBatch: 100, maxInFlight: 2 },
  );
  private readonly claims = new GroupCommit<Claim, boolean>((items) => this.claimAll(items), {
    maxBatch: 100,
    maxInFlight: 2,
  });
  private readonly finishes = new GroupCommit<FinishedAttempt, CaseStatusChange | undefined>(
    (items) => this.finishGrouped(items),
    { maxBatch: 64, maxInFlight: 2 },
  );

  constructor(
    private readonly db: DataSource,
    private readonly packets: SqlPackets,
    private readonly writes: DeliveryWrites,
  ) {}

  /** The delivery's row joined with its case's, or undefined. */
  load(id: string): Promise<Record<string, unknown> | undefined> {
    return this.loads.submit(id);
  }

  /** The conditional claim (attempts = seen, still open); false when anything moved since the load. */
  claim(id: string, seen: number, now: Date): Promise<boolean> {
    return this.claims.submit({ id, seen, now });
  }

  finish(item: FinishedAttempt): Promise<CaseStatusChange | undefined> {
    return this.finishes.submit(item);
  }

  private async loadAll(ids: string[]): Promise<Array<Record<string, unknown> | undefined>> {
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT d.id, d.case_id, d.department, d.mapping, d.status, d.attempts, d.ambiguous, d.receipt_ref,
              d.next_attempt_at, c.payload, c.external_id, c.source, c.service_code
         FROM deliveries d JOIN cases c ON c.id = d.case_id WHERE d.id IN (${list(ids.length)})`,
      ids,
    );
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    return ids.map((id) => byId.get(id));
  }

  private async claimAll(items: Claim[]): Promise<boolean[]> {
    const results = await this.packets.transaction(
      items.map(({ id, seen, now }) => ({
        sql: `UPDATE deliveries SET status = ?, attempts = attempts + 1, updated_at = ?
               WHERE id = ? AND attempts = ? AND status IN (${list(OPEN_STATUSES.length)})`,
        params: [DeliveryStatus.Sending, now, id, seen, ...OPEN_STATUSES],
      })),
    );
    return results.map((r) => r.affectedRows === 1);
  }

  /**
   * A batch that fails on a server error (a deadlock, a lock timeout) rolled back whole: each attempt
   * is then recorded alone, so one bad row never fails its neighbours. A lost connection is thrown:
   * whether it committed is unknown, and the job's retry re-reads the truth.
   */
  private async finishGrouped(items: FinishedAttempt[]): Promise<Array<CaseStatusChange | undefined>> {
    try {
      return await this.finishAll(items);
    } catch (error) {
      if (items.length === 1 || (error as { fatal?: boolean }).fatal !== false) throw error;
    }
    const results: Array<CaseStatusChange | undefined> = [];
    for (const item of items) results.push((await this.finishAll([item]))[0]);
    return results;
  }

  /**
   * Packet 1 locks the deliveries and their cases and reads the evidence chain's last hashes and the
   * cases' deliveries; packet 2 writes each attempt, update, event and roll-up in the jobs' order, the
   * roll-up seeing the updates before it, exactly as one transaction per attempt would have.
   */
  private finishAll(items: FinishedAttempt[]): Promise<Array<CaseStatusChange | undefined>> {
    const deliveryIds = [...new Set(items.map((i) => i.work.id))];
    const caseIds = [...new Set(items.map((i) => i.work.caseId))];
    const reads: Statement[] = [
      {
        sql: `SELECT id FROM deliveries WHERE id IN (${list(deliveryIds.length)}) FOR UPDATE`,
        params: deliveryIds,
      },
      {
        sql: `SELECT delivery_id, record_hash FROM delivery_attempts WHERE id IN (
                SELECT MAX(id) FROM delivery_attempts WHERE delivery_id IN (${list(deliveryIds.length)})
                 GROUP BY delivery_id)`,
        params: deliveryIds,
      },
      {
        sql: `SELECT id, status, source, external_id, service_code FROM cases
               WHERE id IN (${list(caseIds.length)}) FOR UPDATE`,
        params: caseIds,
      },
      {
        sql: `SELECT case_id, id, department, status, receipt_ref, remark FROM deliveries
               WHERE case_id IN (${list(caseIds.length)}) ORDER BY case_id, id`,
        params: caseIds,
      },
    ];
    return this.packets.readThenWrite(reads, ([, lastHashes, cases, siblings]) => {
      const lastHash = new Map(
        (lastHashes as Array<{ delivery_id: string; record_hash: string }>).map((r) => [
          r.delivery_id,
          r.record_hash,
        ]),
      );
      const caseRows = new Map((cases as Array<CaseRow & { id: string }>).map((r) => [r.id, r]));
      const byCase = new Map<string, SiblingRow[]>();
      for (const row of siblings as Array<SiblingRow & { case_id: string }>) {
        const of = byCase.get(row.case_id) ?? [];
        of.push(row);
        byCase.set(row.case_id, of);
      }
      // Row-by-row UPDATEs, but one multi-row INSERT each for the attempts and the timeline events.
      const attempts: unknown[][] = [];
      const events: EventRow[] = [];
      const updates: Statement[] = [];
      const result = items.map((item) => {
        const prevHash = lastHash.get(item.work.id) ?? null;
        const recordHash = item.recordHash(prevHash);
        lastHash.set(item.work.id, recordHash);
        attempts.push(attemptRow(item, prevHash, recordHash));
        updates.push(updateStatement(item.work.id, item.update, item.now));
        events.push(eventRow(item.work.caseId, item.work.id, item.event, item.now));
        const caseRow = caseRows.get(item.work.caseId);
        if (!caseRow) throw new Error(`case ${item.work.caseId} of delivery ${item.work.id} is missing`);
        const deliveries = byCase.get(item.work.caseId) ?? [];
        applyInMemory(deliveries, item.work.id, item.update);
        const rollUp = this.writes.rollUp(item.work.caseId, caseRow, deliveries, item.now);
        updates.push(...rollUp.statements);
        events.push(...rollUp.events);
        if (rollUp.change) caseRow.status = rollUp.change.to;
        return rollUp.change;
      });
      return { writes: [attemptsInsert(attempts), ...updates, ...eventsInsert(events)], result };
    });
  }
}

const ATTEMPT_COLUMNS = 14;

/** A batch's attempts in one INSERT; a delivery's attempts keep their order, so its chain reads in id order. */
function attemptsInsert(rows: unknown[][]): Statement {
  return {
    sql: `INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, error_class,
            http_status, fault_code, reason, excerpt, sent_hash, received_hash, prev_hash, record_hash)
          VALUES ${rows.map(() => `(${list(ATTEMPT_COLUMNS)})`).join(', ')}`,
    params: rows.flat(),
  };
}

function attemptRow(item: FinishedAttempt, prevHash: string | null, recordHash: string): unknown[] {
  const { attempt } = item;
  return [
    item.work.id,
    attempt.attempt,
    attempt.startedAt,
    attempt.durationMs,
    attempt.outcome,
    attempt.errorClass ?? null,
    attempt.httpStatus ?? null,
    attempt.faultCode ?? null,
    truncate(attempt.reason, 512),
    truncate(attempt.excerpt, 1024),
    attempt.sentHash,
    attempt.receivedHash,
    prevHash,
    recordHash,
  ];
}

/** The columns the roll-up reads, as updateStatement leaves them. */
function applyInMemory(deliveries: SiblingRow[], id: string, update: DeliveryUpdate): void {
  const row = deliveries.find((d) => d.id === id);
  if (!row) return;
  row.status = update.status;
  if (update.receiptRef !== undefined) row.receipt_ref = update.receiptRef;
  if (update.remark !== undefined) row.remark = truncate(update.remark ?? undefined, 512);
}
