import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditEntry } from './personal-data-read';

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

/**
 * Reads the audit_log table (operator actions and personal-data reads). Rows are written where the
 * audited thing happens: reads in src/persistence/read-audit.ts, replays in the replay service.
 */
@Injectable()
export class AuditLogStore {
  constructor(private readonly db: DataSource) {}

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
