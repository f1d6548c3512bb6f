import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemException } from '../common/problem/problem';
import { inTransaction, rows, type WriteResult } from '../persistence/transaction';
import { PlatformEventStatus } from './platform-event-writer';

export type PlatformEventStatusValue = (typeof PlatformEventStatus)[keyof typeof PlatformEventStatus];

export interface PlatformEventRow {
  id: string;
  caseId: string;
  source: string;
  type: string;
  payload: string;
  status: PlatformEventStatusValue;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface PlatformEventFilter {
  status?: PlatformEventStatusValue;
  caseId?: string;
  source?: string;
  /** Only events with a larger id (paging). */
  afterId?: string;
  limit: number;
}

const COLUMNS =
  'id, case_id, source, type, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at';
const { Pending, Sent, DeadLettered } = PlatformEventStatus;

/** platform_events is the system of record of what a platform or resident still has to be told. */
@Injectable()
export class PlatformEventStore {
  constructor(private readonly db: DataSource) {}

  /** The case's unsent events, oldest first: the order they must arrive in. */
  async pendingOfCase(caseId: string, limit = 100): Promise<PlatformEventRow[]> {
    const found = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT ${COLUMNS} FROM platform_events WHERE case_id = ? AND status = ? ORDER BY id LIMIT ?`,
      [caseId, Pending, limit],
    );
    return found.map(toRow);
  }

  /** Cases with an event due now, oldest first (the sweeper's view of what Redis should hold). */
  async dueCases(now: Date, limit: number): Promise<string[]> {
    const found = await this.db.query<Array<{ case_id: string }>>(
      `SELECT case_id FROM platform_events WHERE status = ? AND next_attempt_at <= ?
        GROUP BY case_id ORDER BY MIN(id) LIMIT ?`,
      [Pending, now, limit],
    );
    return found.map((r) => r.case_id);
  }

  /** Each `mark*` only moves a PENDING event: a concurrent replay or sweep cannot be overwritten. */
  async markSent(id: string, attempts: number, now: Date, note: string | null = null): Promise<void> {
    await this.db.query(
      `UPDATE platform_events SET status = ?, attempts = ?, sent_at = ?, next_attempt_at = NULL, last_error = ?
        WHERE id = ? AND status = ?`,
      [Sent, attempts, now, note, id, Pending],
    );
  }

  async markRetry(id: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.db.query(
      `UPDATE platform_events SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND status = ?`,
      [attempts, nextAttemptAt, truncate(error), id, Pending],
    );
  }

  async markDeadLettered(id: string, attempts: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE platform_events SET status = ?, attempts = ?, next_attempt_at = NULL, last_error = ?
        WHERE id = ? AND status = ?`,
      [DeadLettered, attempts, truncate(error), id, Pending],
    );
  }

  async list(filter: PlatformEventFilter): Promise<PlatformEventRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      params.push(value);
    };
    if (filter.status) add('status = ?', filter.status);
    if (filter.caseId) add('case_id = ?', filter.caseId);
    if (filter.source) add('source = ?', filter.source);
    if (filter.afterId) add('id > ?', filter.afterId);
    const found = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT ${COLUMNS} FROM platform_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id LIMIT ?`,
      [...params, filter.limit],
    );
    return found.map(toRow);
  }

  /** A dead letter back to PENDING with a fresh retry budget, audited; returns its case. */
  async replay(id: string, actor: string, now = new Date()): Promise<PlatformEventRow> {
    return inTransaction(this.db, async (runner) => {
      const [found] = await rows<Array<Record<string, unknown>>>(
        runner,
        `SELECT ${COLUMNS} FROM platform_events WHERE id = ? FOR UPDATE`,
        [id],
      );
      if (!found) throw ProblemException.notFound(`No platform event ${id}.`);
      const event = toRow(found);
      if (event.status !== DeadLettered) {
        throw ProblemException.conflict(
          `Platform event ${id} is ${event.status}; only ${DeadLettered} events can be replayed.`,
          { eventStatus: event.status },
        );
      }
      const result = await rows<WriteResult>(
        runner,
        `UPDATE platform_events SET status = ?, attempts = 0, next_attempt_at = ?, last_error = NULL WHERE id = ?`,
        [Pending, now, id],
      );
      if (result.affectedRows !== 1) throw new Error(`platform event ${id} was not updated`);
      await runner.query(
        'INSERT INTO audit_log (actor, action, subject, detail, created_at) VALUES (?, ?, ?, ?, ?)',
        [
          actor,
          'platform-event.replay',
          id,
          JSON.stringify({
            caseId: event.caseId,
            type: event.type,
            previousAttempts: event.attempts,
            lastError: event.lastError,
          }),
          now,
        ],
      );
      return { ...event, status: Pending, attempts: 0, nextAttemptAt: now, lastError: null };
    });
  }
}

function toRow(r: Record<string, unknown>): PlatformEventRow {
  return {
    id: String(r.id),
    caseId: r.case_id as string,
    source: r.source as string,
    type: r.type as string,
    payload: r.payload as string,
    status: r.status as PlatformEventStatusValue,
    attempts: Number(r.attempts),
    nextAttemptAt: (r.next_attempt_at as Date | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: r.created_at as Date,
    sentAt: (r.sent_at as Date | null) ?? null,
  };
}

function truncate(text: string, max = 1024): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
