import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import type { CaseStatus } from '../lifecycle/case-status';
import { rollUpCaseStatus } from '../lifecycle/case-status-rollup';
import { DeliveryStatus } from '../lifecycle/delivery-status';
import { inTransaction, rows, type WriteResult } from '../persistence/transaction';

/** A delivery with what the engine needs of its case. */
export interface DeliveryWork {
  id: string;
  caseId: string;
  department: string;
  mapping: string | null;
  status: DeliveryStatus;
  attempts: number;
  ambiguous: boolean;
  receiptRef: string | null;
  nextAttemptAt: Date | null;
  casePayload: string;
  externalId: string;
  source: string;
  serviceCode: string;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  outcome: string;
  errorClass?: string;
  httpStatus?: number;
  faultCode?: string;
  reason?: string;
  excerpt?: string;
  sentHash: string | null;
  receivedHash: string | null;
}

export interface DeliveryUpdate {
  status: DeliveryStatus;
  lastOutcome?: string;
  lastError?: string | null;
  nextAttemptAt?: Date | null;
  ambiguous?: boolean;
  receiptRef?: string | null;
  deliveredAt?: Date;
}

export interface CaseEventInput {
  type: string;
  detail?: Record<string, unknown>;
}

export interface CaseStatusChange {
  caseId: string;
  from: CaseStatus;
  to: CaseStatus;
}

/** Claimable: a delivery not yet acknowledged and not given up on. */
const OPEN_STATUSES = [DeliveryStatus.Pending, DeliveryStatus.RetryWait, DeliveryStatus.Sending];

/** MySQL is the system of record of every delivery; the queue only says when to look at one. */
@Injectable()
export class DeliveryStore {
  constructor(private readonly db: DataSource) {}

  async load(id: string): Promise<DeliveryWork | undefined> {
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT d.id, d.case_id, d.department, d.mapping, d.status, d.attempts, d.ambiguous, d.receipt_ref,
              d.next_attempt_at, c.payload, c.external_id, c.source, c.service_code
         FROM deliveries d JOIN cases c ON c.id = d.case_id WHERE d.id = ?`,
      [id],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: r.id as string,
      caseId: r.case_id as string,
      department: r.department as string,
      mapping: (r.mapping as string | null) ?? null,
      status: r.status as DeliveryStatus,
      attempts: Number(r.attempts),
      ambiguous: Number(r.ambiguous) === 1,
      receiptRef: (r.receipt_ref as string | null) ?? null,
      nextAttemptAt: (r.next_attempt_at as Date | null) ?? null,
      casePayload: r.payload as string,
      externalId: r.external_id as string,
      source: r.source as string,
      serviceCode: r.service_code as string,
    };
  }

  /** Marks an attempt as started; false when the delivery is no longer open (done, rejected, dead). */
  async claimAttempt(id: string, now = new Date()): Promise<number | undefined> {
    return inTransaction(this.db, async (runner) => {
      const result = await rows<WriteResult>(
        runner,
        `UPDATE deliveries SET status = ?, attempts = attempts + 1, updated_at = ?
          WHERE id = ? AND status IN (${OPEN_STATUSES.map(() => '?').join(', ')})`,
        [DeliveryStatus.Sending, now, id, ...OPEN_STATUSES],
      );
      if (result.affectedRows === 0) return undefined;
      const [row] = await rows<Array<{ attempts: number }>>(
        runner,
        'SELECT attempts FROM deliveries WHERE id = ?',
        [id],
      );
      return Number(row.attempts);
    });
  }

  /** Records an attempt (chained to the previous one), the delivery's new state and the case roll-up, atomically. */
  async finishAttempt(
    work: Pick<DeliveryWork, 'id' | 'caseId'>,
    attempt: AttemptRecord,
    update: DeliveryUpdate,
    event: CaseEventInput,
    recordHash: (prevHash: string | null) => string,
    now = new Date(),
  ): Promise<CaseStatusChange | undefined> {
    return inTransaction(this.db, async (runner) => {
      await runner.query('SELECT id FROM deliveries WHERE id = ? FOR UPDATE', [work.id]);
      const [last] = await rows<Array<{ record_hash: string }>>(
        runner,
        'SELECT record_hash FROM delivery_attempts WHERE delivery_id = ? ORDER BY id DESC LIMIT 1',
        [work.id],
      );
      const prevHash = last?.record_hash ?? null;
      await runner.query(
        `INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, error_class, http_status,
           fault_code, reason, excerpt, sent_hash, received_hash, prev_hash, record_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          work.id,
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
          recordHash(prevHash),
        ],
      );
      await this.applyUpdate(runner, work.id, update, now);
      return this.recordEventAndRollUp(runner, work.caseId, work.id, event, now);
    });
  }

  /** A state change that is not an attempt (replay, a department status report). */
  async transition(
    work: Pick<DeliveryWork, 'id' | 'caseId'>,
    update: DeliveryUpdate,
    event: CaseEventInput,
    onlyFrom?: readonly DeliveryStatus[],
    now = new Date(),
  ): Promise<{ applied: boolean; caseChange?: CaseStatusChange }> {
    return inTransaction(this.db, async (runner) => {
      const [row] = await rows<Array<{ status: string }>>(
        runner,
        'SELECT status FROM deliveries WHERE id = ? FOR UPDATE',
        [work.id],
      );
      if (!row || (onlyFrom && !onlyFrom.includes(row.status as DeliveryStatus))) return { applied: false };
      await this.applyUpdate(runner, work.id, update, now);
      const caseChange = await this.recordEventAndRollUp(runner, work.caseId, work.id, event, now);
      return { applied: true, caseChange };
    });
  }

  private async applyUpdate(
    runner: QueryRunner,
    id: string,
    update: DeliveryUpdate,
    now: Date,
  ): Promise<void> {
    const sets = ['status = ?', 'updated_at = ?'];
    const params: unknown[] = [update.status, now];
    const optional: Array<[string, unknown]> = [
      ['last_outcome', update.lastOutcome],
      [
        'last_error',
        update.lastError === undefined ? undefined : (truncate(update.lastError ?? undefined, 2000) ?? null),
      ],
      ['next_attempt_at', update.nextAttemptAt],
      ['ambiguous', update.ambiguous === undefined ? undefined : update.ambiguous ? 1 : 0],
      ['receipt_ref', update.receiptRef],
      ['delivered_at', update.deliveredAt],
    ];
    for (const [column, value] of optional) {
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(value);
    }
    await runner.query(`UPDATE deliveries SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  }

  private async recordEventAndRollUp(
    runner: QueryRunner,
    caseId: string,
    deliveryId: string,
    event: CaseEventInput,
    now: Date,
  ): Promise<CaseStatusChange | undefined> {
    await runner.query(
      'INSERT INTO case_events (case_id, delivery_id, type, detail, created_at) VALUES (?, ?, ?, ?, ?)',
      [caseId, deliveryId, event.type, event.detail ? JSON.stringify(event.detail) : null, now],
    );
    const [caseRow] = await rows<Array<{ status: CaseStatus }>>(
      runner,
      'SELECT status FROM cases WHERE id = ? FOR UPDATE',
      [caseId],
    );
    const statuses = await rows<Array<{ status: string }>>(
      runner,
      'SELECT status FROM deliveries WHERE case_id = ?',
      [caseId],
    );
    const next = rollUpCaseStatus(statuses.map((s) => s.status));
    if (next === caseRow.status) return undefined;
    await runner.query('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?', [next, now, caseId]);
    await runner.query(
      'INSERT INTO case_events (case_id, delivery_id, type, detail, created_at) VALUES (?, NULL, ?, ?, ?)',
      [caseId, 'CASE_STATUS_CHANGED', JSON.stringify({ from: caseRow.status, to: next }), now],
    );
    return { caseId, from: caseRow.status, to: next };
  }
}

function truncate(value: string | undefined, max: number): string | null {
  if (value === undefined) return null;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
