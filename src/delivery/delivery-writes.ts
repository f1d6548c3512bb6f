import type { QueryRunner } from 'typeorm';
import { CaseStatus } from '../lifecycle/case-status';
import { rollUpCaseStatus } from '../lifecycle/case-status-rollup';
import { DeliveryStatus, FINAL_DELIVERY_STATUSES } from '../lifecycle/delivery-status';
import type { PlatformEventWriter } from '../notifications/platform-event-writer';
import { rows } from '../persistence/transaction';
import type { CaseEventInput, CaseStatusChange, DeliveryUpdate, DeliveryWork } from './delivery-records';

/** Open: not yet acknowledged and not given up on. */
export const OPEN_STATUSES = [DeliveryStatus.Pending, DeliveryStatus.RetryWait, DeliveryStatus.Sending];

/**
 * The statements every delivery change is made of, run inside the caller's transaction: the row
 * update, the timeline event, the case roll-up and the platform events it triggers.
 */
export class DeliveryWrites {
  constructor(private readonly platformEvents: PlatformEventWriter) {}

  async recordAnomaly(
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

  async applyUpdate(runner: QueryRunner, id: string, update: DeliveryUpdate, now: Date): Promise<void> {
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

  async recordEventAndRollUp(
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

export function truncate(value: string | undefined, max: number): string | null {
  if (value === undefined) return null;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
