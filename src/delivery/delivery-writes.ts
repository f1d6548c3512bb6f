import type { QueryRunner } from 'typeorm';
import { CaseStatus } from '../lifecycle/case-status';
import { rollUpCaseStatus } from '../lifecycle/case-status-rollup';
import { DeliveryStatus, FINAL_DELIVERY_STATUSES } from '../lifecycle/delivery-status';
import type { PlatformEventWriter } from '../notifications/platform-event-writer';
import type { Statement } from '../persistence/sql-packets';
import { rows } from '../persistence/transaction';
import type { CaseEventInput, CaseStatusChange, DeliveryUpdate, DeliveryWork } from './delivery-records';

/** Open: not yet acknowledged and not given up on. */
export const OPEN_STATUSES = [DeliveryStatus.Pending, DeliveryStatus.RetryWait, DeliveryStatus.Sending];

/** What the case roll-up reads: the case row (locked) and all its deliveries. */
export interface CaseRow {
  status: CaseStatus;
  source: string;
  external_id: string;
  service_code: string;
}

export interface SiblingRow {
  id: string;
  department: string;
  status: string;
  receipt_ref: string | null;
  remark: string | null;
}

export const CASE_FOR_UPDATE =
  'SELECT status, source, external_id, service_code FROM cases WHERE id = ? FOR UPDATE';
export const DELIVERIES_OF_CASE =
  'SELECT id, department, status, receipt_ref, remark FROM deliveries WHERE case_id = ? ORDER BY id';

/**
 * The statements every delivery change is made of: the row update, the timeline event, the case
 * roll-up and the platform events it triggers. Built as data, so that the same SQL runs statement by
 * statement in a caller's transaction (reports, replays) or in one packet for a batch (delivery outcomes).
 */
export class DeliveryWrites {
  constructor(private readonly platformEvents: PlatformEventWriter) {}

  async recordAnomaly(
    runner: QueryRunner,
    work: Pick<DeliveryWork, 'id' | 'caseId'>,
    detail: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    await run(runner, [eventStatement(work.caseId, work.id, { type: 'STATUS_ANOMALY', detail }, now)]);
  }

  async applyUpdate(runner: QueryRunner, id: string, update: DeliveryUpdate, now: Date): Promise<void> {
    await run(runner, [updateStatement(id, update, now)]);
  }

  async recordEventAndRollUp(
    runner: QueryRunner,
    caseId: string,
    deliveryId: string,
    event: CaseEventInput,
    now: Date,
  ): Promise<CaseStatusChange | undefined> {
    await run(runner, [eventStatement(caseId, deliveryId, event, now)]);
    const [caseRow] = await rows<CaseRow[]>(runner, CASE_FOR_UPDATE, [caseId]);
    const deliveries = await rows<SiblingRow[]>(runner, DELIVERIES_OF_CASE, [caseId]);
    const rollUp = this.rollUp(caseId, caseRow, deliveries, now);
    await run(runner, [...rollUp.statements, ...eventsInsert(rollUp.events)]);
    return rollUp.change;
  }

  /**
   * The case's new status from all its deliveries, and what records it (nothing if unchanged): the
   * case UPDATE and platform events as statements, the timeline event as a row (batches insert the
   * rows of many attempts at once).
   */
  rollUp(
    caseId: string,
    caseRow: CaseRow,
    deliveries: readonly SiblingRow[],
    now: Date,
  ): { statements: Statement[]; events: EventRow[]; change?: CaseStatusChange } {
    const next = rollUpCaseStatus(deliveries.map((s) => s.status));
    if (next === caseRow.status) return { statements: [], events: [] };
    const completedAt = next === CaseStatus.Completed ? now : null;
    const statements: Statement[] = [
      {
        sql: 'UPDATE cases SET status = ?, completed_at = ?, updated_at = ? WHERE id = ?',
        params: [next, completedAt, now, caseId],
      },
      ...this.platformEvents.statements(
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
      ),
    ];
    const events = [
      eventRow(
        caseId,
        null,
        { type: 'CASE_STATUS_CHANGED', detail: { from: caseRow.status, to: next } },
        now,
      ),
    ];
    return { statements, events, change: { caseId, from: caseRow.status, to: next } };
  }
}

/** A case_events row: case_id, delivery_id, type, detail, created_at. */
export type EventRow = [string, string | null, string, string | null, Date];

export function eventRow(
  caseId: string,
  deliveryId: string | null,
  event: CaseEventInput,
  now: Date,
): EventRow {
  return [caseId, deliveryId, event.type, event.detail ? JSON.stringify(event.detail) : null, now];
}

/** Timeline rows in one INSERT; their ids ascend in the given order, which is the timeline's order. */
export function eventsInsert(events: readonly EventRow[]): Statement[] {
  if (events.length === 0) return [];
  return [
    {
      sql: `INSERT INTO case_events (case_id, delivery_id, type, detail, created_at)
        VALUES ${events.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      params: events.flat(),
    },
  ];
}

export function eventStatement(
  caseId: string,
  deliveryId: string | null,
  event: CaseEventInput,
  now: Date,
): Statement {
  return eventsInsert([eventRow(caseId, deliveryId, event, now)])[0];
}

export function updateStatement(id: string, update: DeliveryUpdate, now: Date): Statement {
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
    ['remark', update.remark === undefined ? undefined : (truncate(update.remark ?? undefined, 512) ?? null)],
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
  return { sql: `UPDATE deliveries SET ${sets.join(', ')} WHERE id = ?`, params: [...params, id] };
}

async function run(runner: QueryRunner, statements: readonly Statement[]): Promise<void> {
  for (const { sql, params } of statements) await runner.query(sql, params);
}

export function truncate(value: string | undefined, max: number): string | null {
  if (value === undefined) return null;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
