import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeliveryStatus } from '../lifecycle/delivery-status';
import type { WriteResult } from '../persistence/transaction';

/** With the department and not final: the deliveries worth asking about. */
const AT_DEPARTMENT = [DeliveryStatus.Delivered, DeliveryStatus.Processing];
const IN = AT_DEPARTMENT.map(() => '?').join(', ');

export interface DuePoll {
  id: string;
  receiptRef: string | null;
  /** Answers in a row that said nothing new; sets the next gap. */
  polls: number;
}

/**
 * The polling schedule in MySQL (deliveries.next_poll_at, deliveries.polls): MySQL, not Redis, knows
 * which deliveries are due, so a flushed Redis or a crashed worker never loses one.
 */
@Injectable()
export class PollStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Gives deliveries that reached the department a first poll time, `initialMs` after delivery.
   * `changedSince` limits the look to recently changed rows (index on status, updated_at).
   */
  async scheduleNew(department: string, initialMs: number, changedSince?: Date): Promise<number> {
    const result = await this.db.query<WriteResult>(
      `UPDATE deliveries
          SET next_poll_at = DATE_ADD(COALESCE(delivered_at, updated_at), INTERVAL ? MICROSECOND), polls = 0
        WHERE department = ? AND status IN (${IN}) AND next_poll_at IS NULL
          ${changedSince ? 'AND updated_at >= ?' : ''}`,
      [initialMs * 1000, department, ...AT_DEPARTMENT, ...(changedSince ? [changedSince] : [])],
    );
    return result.affectedRows;
  }

  /** Un-schedules deliveries that left the department meanwhile (final, resend requested, replayed). */
  async clearStale(department: string, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET next_poll_at = NULL
        WHERE department = ? AND next_poll_at <= ? AND status NOT IN (${IN})`,
      [department, now, ...AT_DEPARTMENT],
    );
  }

  /** The most overdue deliveries first (index ix_deliveries_poll). */
  async due(department: string, now: Date, limit: number): Promise<DuePoll[]> {
    const rows = await this.db.query<Array<{ id: string; receipt_ref: string | null; polls: number }>>(
      `SELECT id, receipt_ref, polls FROM deliveries
        WHERE department = ? AND next_poll_at <= ? AND status IN (${IN})
        ORDER BY next_poll_at LIMIT ?`,
      [department, now, ...AT_DEPARTMENT, limit],
    );
    return rows.map((r) => ({ id: r.id, receiptRef: r.receipt_ref ?? null, polls: Number(r.polls) }));
  }

  /**
   * Takes a due delivery for one status call by moving its poll time to `until`: false when another
   * process took it first. Should this process die mid-call, the delivery is due again at `until`.
   */
  async claim(id: string, now: Date, until: Date): Promise<boolean> {
    const result = await this.db.query<WriteResult>(
      `UPDATE deliveries SET next_poll_at = ? WHERE id = ? AND next_poll_at <= ? AND status IN (${IN})`,
      [until, id, now, ...AT_DEPARTMENT],
    );
    return result.affectedRows > 0;
  }

  /** The next poll after an answer; a delivery that left the department meanwhile is not polled again. */
  async reschedule(id: string, next: Date, polls: number): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET next_poll_at = IF(status IN (${IN}), ?, NULL), polls = ? WHERE id = ?`,
      [...AT_DEPARTMENT, next, polls, id],
    );
  }
}
