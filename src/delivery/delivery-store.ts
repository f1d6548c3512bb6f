import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { scrubPersonalData } from '../common/masking';
import { DeliveryStatus, FINAL_DELIVERY_STATUSES } from '../lifecycle/delivery-status';
import { decideReport, isAllowedTransition } from '../lifecycle/delivery-transitions';
import { inTransaction, rows, type WriteResult } from '../persistence/transaction';
import { PlatformEventWriter } from '../notifications/platform-event-writer';
import { SqlPackets } from '../persistence/sql-packets';
import type {
  AttemptRecord,
  CaseEventInput,
  CaseStatusChange,
  DeliveryUpdate,
  DeliveryWork,
  ReportResult,
  StatusReport,
} from './delivery-records';
import { DeliveryBatches } from './delivery-batches';
import { DeliveryWrites, OPEN_STATUSES } from './delivery-writes';

export type {
  AttemptRecord,
  CaseEventInput,
  CaseStatusChange,
  DeliveryUpdate,
  DeliveryWork,
  ReportResult,
  StatusReport,
} from './delivery-records';

/** The roll-up reads a case's deliveries after waiting for the case's lock (see inTransaction). */
const ROLL_UP_ISOLATION = 'READ COMMITTED';

/** MySQL is the system of record of every delivery; the queue only says when to look at one. */
@Injectable()
export class DeliveryStore {
  private readonly logger = new Logger(DeliveryStore.name);

  private readonly writes: DeliveryWrites;
  private readonly batches: DeliveryBatches;

  constructor(
    private readonly db: DataSource,
    platformEvents: PlatformEventWriter,
    packets: SqlPackets,
  ) {
    this.writes = new DeliveryWrites(platformEvents);
    this.batches = new DeliveryBatches(db, packets, this.writes);
  }

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
    const r = await this.batches.load(id);
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

  /**
   * Marks an attempt as started and returns its number; undefined when the delivery is no longer open
   * (done, rejected, dead). `seen` is the attempt count the caller loaded: one conditional UPDATE
   * (grouped with other jobs' claims) takes it; if anything moved since, the locked path decides.
   */
  async claimAttempt(id: string, seen?: number, now = new Date()): Promise<number | undefined> {
    const open = OPEN_STATUSES.map(() => '?').join(', ');
    if (seen !== undefined && (await this.batches.claim(id, seen, now))) return seen + 1;
    return inTransaction(this.db, async (runner) => {
      const result = await rows<WriteResult>(
        runner,
        `UPDATE deliveries SET status = ?, attempts = attempts + 1, updated_at = ?
          WHERE id = ? AND status IN (${open})`,
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

  /**
   * Records an attempt (chained to the previous one), the delivery's new state and the case roll-up,
   * atomically; concurrent jobs share the transaction (DeliveryBatches).
   */
  async finishAttempt(
    work: Pick<DeliveryWork, 'id' | 'caseId'>,
    attempt: AttemptRecord,
    update: DeliveryUpdate,
    event: CaseEventInput,
    recordHash: (prevHash: string | null) => string,
    now = new Date(),
  ): Promise<CaseStatusChange | undefined> {
    return this.batches.finish({ work, attempt, update, event, recordHash, now });
  }

  /** A state change that is not an attempt (replay, a department status report). */
  async transition(
    work: Pick<DeliveryWork, 'id' | 'caseId'>,
    update: DeliveryUpdate,
    event: CaseEventInput,
    onlyFrom?: readonly DeliveryStatus[],
    now = new Date(),
  ): Promise<{ applied: boolean; caseChange?: CaseStatusChange }> {
    return inTransaction(
      this.db,
      async (runner) => {
        const [row] = await rows<Array<{ status: string }>>(
          runner,
          'SELECT status FROM deliveries WHERE id = ? FOR UPDATE',
          [work.id],
        );
        if (!row || (onlyFrom && !onlyFrom.includes(row.status as DeliveryStatus))) return { applied: false };
        const from = row.status as DeliveryStatus;
        if (!isAllowedTransition(from, update.status)) {
          const reason = `${from} → ${update.status} is not allowed`;
          await this.writes.recordAnomaly(
            runner,
            work,
            { from, to: update.status, via: event.type, reason },
            now,
          );
          return { applied: false };
        }
        await this.writes.applyUpdate(runner, work.id, update, now);
        const caseChange = await this.writes.recordEventAndRollUp(runner, work.caseId, work.id, event, now);
        return { applied: true, caseChange };
      },
      ROLL_UP_ISOLATION,
    );
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
    const result = await inTransaction(
      this.db,
      async (runner): Promise<ReportResult> => {
        const [row] = await rows<Array<{ status: DeliveryStatus }>>(
          runner,
          'SELECT status FROM deliveries WHERE id = ? FOR UPDATE',
          [work.id],
        );
        const from = row.status;
        const decision = decideReport(from, report.status);
        if (decision.kind === 'duplicate') return { kind: 'duplicate', status: from };
        if (decision.kind === 'illegal') {
          await this.writes.recordAnomaly(
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
          Object.assign(update, {
            nextAttemptAt: now,
            lastError: `resend requested: ${remark ?? ''}`.trim(),
          });
        }
        if (FINAL_DELIVERY_STATUSES.has(to)) update.nextPollAt = null;
        if (to === DeliveryStatus.Delivered || to === DeliveryStatus.Processing) update.ambiguous = false;
        await this.writes.applyUpdate(runner, work.id, update, now);
        const caseChange = await this.writes.recordEventAndRollUp(
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
      },
      ROLL_UP_ISOLATION,
    );
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
