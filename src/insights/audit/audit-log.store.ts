import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditEntry } from './personal-data-read';

export interface NewAuditRow {
  actor: string;
  action: string;
  subject: string | null;
  detail: Record<string, unknown>;
}

export interface AuditQuery {
  subject?: string;
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Id of the last entry of the previous page; newest first. */
  beforeId?: string;
  limit: number;
}

type Row = { id: string; actor: string; action: string; subject: string | null; detail: string | null };

/** The audit_log table (operator actions and personal-data reads). */
@Injectable()
export class AuditLogStore {
  constructor(private readonly db: DataSource) {}

  /** One multi-row INSERT, so a search that returned 100 cases costs one round trip. */
  async append(rows: readonly NewAuditRow[], now = new Date()): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO audit_log (actor, action, subject, detail, created_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      rows.flatMap((r) => [r.actor, r.action, r.subject, JSON.stringify(r.detail), now]),
    );
  }

  async find(query: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      params.push(value);
    };
    if (query.subject !== undefined) add('subject = ?', query.subject);
    if (query.actor !== undefined) add('actor = ?', query.actor);
    if (query.action !== undefined) add('action = ?', query.action);
    if (query.from) add('created_at >= ?', query.from);
    if (query.to) add('created_at < ?', query.to);
    if (query.beforeId !== undefined) add('id < ?', query.beforeId);
    const rows = await this.db.query<Array<Row & { created_at: Date }>>(
      `SELECT id, actor, action, subject, detail, created_at FROM audit_log
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      [...params, query.limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: r.created_at.toISOString(),
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    }));
  }
}
