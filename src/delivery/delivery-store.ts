import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { scrubPersonalData } from '../common/masking';
import { CaseStatus } from '../lifecycle/case-status';
import { rollUpCaseStatus } from '../lifecycle/case-status-rollup';
import { DeliveryStatus, FINAL_DELIVERY_STATUSES } from '../lifecycle/delivery-status';
import { decideReport, isAllowedTransition, type ReportedStatus } from '../lifecycle/delivery-transitions';
import { inTransaction, rows, type WriteResult } from '../persistence/transaction';
import { PlatformEventWriter } from '../notifications/platform-event-writer';

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
  departmentStatus?: string | null;
  remark?: string | null;
  nextPollAt?: Date | null;
}

/** A department's word on one delivery (callback, status poll, result file), already reverse-mapped. */
export interface StatusReport {
  status: ReportedStatus;
  /** How it arrived: `callback`, `poll`, `result-file`, `pull-ack`. */
  via: string;
  reference?: string;
  remark?: string;
  /** The department's own status text, before mapping. */
  departmentStatus?: string;
  finishedAt?: string;
}

export type ReportResult =
  | { kind: 'applied'; from: DeliveryStatus; to: DeliveryStatus; caseChange?: CaseStatusChange }
  | { kind: 'duplicate'; status: DeliveryStatus }
  | { kind: 'illegal'; from: DeliveryStatus; reason: string };

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
  private readonly logger = new Logger(DeliveryStore.name);

  constructor(
    private readonly db: DataSource,
    private readonly platformEvents: PlatformEventWriter,
  ) {}

  /** The delivery a department report is about: by our id (its idempotency key) or by its receipt number. */
  async findForReport(
    department: string,
    key: { deliveryId?: string; reference?: string },
  ): Promise<DeliveryWork | undefined> {
    let id = key.deliveryId;
    if (!id && key.reference) {
      const [row] = await this.db.query<Array<{ id: string }>>(
        'SELECT id FROM deliveries WHERE department = ? AND receipt_ref = ? ORDER BY id DESC LIMIT 1',
        [department, key.reference],
      );
      id = row?.id;
    }
    if (!id) return undefined;
    const work = await this.load(id);
    return work && work.department === department ? work : undefined;
  }

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
      const from = row.status as DeliveryStatus;
      if (!isAllowedTransition(from, update.status)) {
        const reason = `${from} → ${update.status} is not allowed`;
        await this.recordAnomaly(runner, work, { from, to: update.status, via: event.type, reason }, now);
        return { applied: false };
      }
      await this.applyUpdate(runner, work.id, update, now);
      const caseChange = await this.recordEventAndRollUp(runner, work.caseId, work.id, event, now);
      return { applied: true, caseChange };
    });
  }

  /**
   * Applies a department's report through the state machine: progress is applied, a repeat changes
   * nothing, a move backwards (APPROVED → PROCESSING) is refused and kept as an anomaly.
   */
  async applyReport(
    work: Pick<DeliveryWork, 'id' | 'caseId' | 'department'>,
    report: StatusReport,
    now = new Date(),
  ): Promise<ReportResult> {
    const result = await inTransaction(this.db, async (runner): Promise<ReportResult> => {
      const [row] = await rows<Array<{ status: DeliveryStatus }>>(
        runner,
        'SELECT status FROM deliveries WHERE id = ? FOR UPDATE',
        [work.id],
      );
      const from = row.status;
      const decision = decideReport(from, report.status);
      if (decision.kind === 'duplicate') return { kind: 'duplicate', status: from };
      if (decision.kind === 'illegal') {
        await this.recordAnomaly(
          runner,
          work,
          { from, reported: report.status, via: report.via, reason: decision.reason },
          now,
        );
        return { kind: 'illegal', from, reason: decision.reason };
      }
      const to = decision.to;
      const remark = report.remark ? scrubPersonalData(report.remark) : undefined;
      const update: DeliveryUpdate = {
        status: to,
        departmentStatus: report.departmentStatus?.slice(0, 64),
        remark,
        ...(report.reference ? { receiptRef: report.reference.slice(0, 128) } : {}),
      };
      if (stageBefore(from)) update.deliveredAt = now;
      if (to === DeliveryStatus.RetryWait) {
        // The department asks for the record again: same delivery id, a new attempt now.
        Object.assign(update, { nextAttemptAt: now, lastError: `resend requested: ${remark ?? ''}`.trim() });
      }
      if (FINAL_DELIVERY_STATUSES.has(to)) update.nextPollAt = null;
      if (to === DeliveryStatus.Delivered || to === DeliveryStatus.Processing) update.ambiguous = false;
      await this.applyUpdate(runner, work.id, update, now);
      const caseChange = await this.recordEventAndRollUp(
        runner,
        work.caseId,
        work.id,
        {
          type: to === DeliveryStatus.RetryWait ? 'DELIVERY_RESEND_REQUESTED' : 'DELIVERY_STATUS_REPORTED',
          detail: {
            department: work.department,
            status: to,
            reported: report.status,
            via: report.via,
            reference: report.reference ?? null,
            remark: remark ?? null,
            finishedAt: report.finishedAt ?? null,
          },
        },
        now,
      );
      return { kind: 'applied', from, to, caseChange };
    });
    if (result.kind === 'illegal') {
      this.logger.warn({
        msg: 'illegal status transition refused',
        deliveryId: work.id,
        department: work.department,
        from: result.from,
        reported: report.status,
        via: report.via,
      });
    }
    return result;
  }

  private async recordAnomaly(
    runner: QueryRunner,
    work: Pick<DeliveryWork, 'id' | 'caseId'>,
    detail: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    await runner.query(
      'INSERT INTO case_events (case_id, delivery_id, type, detail, created_at) VALUES (?, ?, ?, ?, ?)',
      [work.caseId, work.id, 'STATUS_ANOMALY', JSON.stringify(detail), now],
    );
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
      ['department_status', update.departmentStatus],
      [
        'remark',
        update.remark === undefined ? undefined : (truncate(update.remark ?? undefined, 512) ?? null),
      ],
      ['next_poll_at', update.nextPollAt],
      // A final result is stamped once; a replay (back to PENDING) clears it.
      [
        'final_at',
        FINAL_DELIVERY_STATUSES.has(update.status)
          ? now
          : OPEN_STATUSES.includes(update.status)
            ? null
            : undefined,
      ],
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
    const [caseRow] = await rows<
      Array<{ status: CaseStatus; source: string; external_id: string; service_code: string }>
    >(runner, 'SELECT status, source, external_id, service_code FROM cases WHERE id = ? FOR UPDATE', [
      caseId,
    ]);
    const deliveries = await rows<
      Array<{
        id: string;
        department: string;
        status: string;
        receipt_ref: string | null;
        remark: string | null;
      }>
    >(
      runner,
      'SELECT id, department, status, receipt_ref, remark FROM deliveries WHERE case_id = ? ORDER BY id',
      [caseId],
    );
    const next = rollUpCaseStatus(deliveries.map((s) => s.status));
    if (next === caseRow.status) return undefined;
    const completedAt = next === CaseStatus.Completed ? now : null;
    await runner.query('UPDATE cases SET status = ?, completed_at = ?, updated_at = ? WHERE id = ?', [
      next,
      completedAt,
      now,
      caseId,
    ]);
    await runner.query(
      'INSERT INTO case_events (case_id, delivery_id, type, detail, created_at) VALUES (?, NULL, ?, ?, ?)',
      [caseId, 'CASE_STATUS_CHANGED', JSON.stringify({ from: caseRow.status, to: next }), now],
    );
    await this.platformEvents.caseStatusChanged(
      runner,
      {
        event: 'case.status_changed',
        caseId,
        externalId: caseRow.external_id,
        source: caseRow.source,
        serviceCode: caseRow.service_code,
        status: next,
        previousStatus: caseRow.status,
        at: now.toISOString(),
        deliveries: deliveries.map((d) => ({
          id: d.id,
          department: d.department,
          status: d.status,
          reference: d.receipt_ref,
          remark: d.remark,
        })),
      },
      now,
    );
    return { caseId, from: caseRow.status, to: next };
  }
}

/** Not yet acknowledged by the department: a report is the first word that it has the case. */
function stageBefore(status: DeliveryStatus): boolean {
  return !RECEIVED.has(status);
}

const RECEIVED: ReadonlySet<DeliveryStatus> = new Set([
  DeliveryStatus.Delivered,
  DeliveryStatus.Processing,
  DeliveryStatus.Approved,
  DeliveryStatus.Rejected,
]);

function truncate(value: string | undefined, max: number): string | null {
  if (value === undefined) return null;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
