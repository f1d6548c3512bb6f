import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inTransaction, rows } from '../../persistence/transaction';

export const CASE_OVERDUE_EVENT = 'CASE_OVERDUE';

export interface OverdueCase {
  id: string;
  source: string;
  externalId: string;
  serviceCode: string;
  status: string;
  dueAt: Date;
}

/** Marks open cases past their due time; each is marked once (overdue_at), with a timeline entry. */
@Injectable()
export class OverdueStore {
  constructor(private readonly db: DataSource) {}

  /**
   * One batch, in one transaction. The rows are locked (cases a status roll-up holds are skipped
   * and picked up by the next pass), so a case that completes meanwhile is never marked.
   */
  async markBatch(now: Date, limit: number): Promise<OverdueCase[]> {
    return inTransaction(this.db, async (runner) => {
      // ix_cases_open_due (completed_at, overdue_at, due_at): equality, equality, range.
      const found = await rows<
        Array<{
          id: string;
          source: string;
          external_id: string;
          service_code: string;
          status: string;
          due_at: Date;
        }>
      >(
        runner,
        `SELECT id, source, external_id, service_code, status, due_at FROM cases FORCE INDEX (ix_cases_open_due)
         WHERE completed_at IS NULL AND overdue_at IS NULL AND due_at < ?
         ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED`,
        [now, limit],
      );
      if (found.length === 0) return [];
      const ids = found.map((r) => r.id);
      const marks = ids.map(() => '?').join(', ');
      await runner.query(`UPDATE cases SET overdue_at = ?, updated_at = ? WHERE id IN (${marks})`, [
        now,
        now,
        ...ids,
      ]);
      await runner.query(
        `INSERT INTO case_events (case_id, delivery_id, type, detail, created_at)
         VALUES ${found.map(() => '(?, NULL, ?, ?, ?)').join(', ')}`,
        found.flatMap((r) => [
          r.id,
          CASE_OVERDUE_EVENT,
          JSON.stringify({ dueAt: r.due_at.toISOString(), status: r.status }),
          now,
        ]),
      );
      return found.map((r) => ({
        id: r.id,
        source: r.source,
        externalId: r.external_id,
        serviceCode: r.service_code,
        status: r.status,
        dueAt: r.due_at,
      }));
    });
  }
}
