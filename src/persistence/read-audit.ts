import type { Statement } from './sql-packets';

/**
 * The audit_log rows a read of personal data writes about itself: one per case it discloses,
 * committed before the answer exists (src/insights/audit says who, why and under which scope).
 */
export interface ReadAudit {
  actor: string;
  action: string;
  /** The reading client's source: its own cases get `ownSourceDetail`, any other `otherSourceDetail`. */
  clientSource: string;
  ownSourceDetail: Record<string, unknown>;
  otherSourceDetail: Record<string, unknown>;
  /** Searches: the detail also records how many cases the page returned, as `resultCount`. */
  countResults: boolean;
  at: Date;
}

const COLUMNS = 'audit_log (actor, action, subject, detail, created_at)';

/**
 * `INSERT … SELECT` of one row per case that `from` yields (a FROM clause with the cases as `c`), to
 * go in the read's own packet and transaction: the case detail, where `from` is the case by id.
 */
export function auditRowsInsert(audit: ReadAudit, from: Statement): Statement {
  return {
    sql: `INSERT INTO ${COLUMNS} SELECT ?, ?, c.id, IF(c.source = ?, ?, ?), ? FROM ${from.sql}`,
    params: [
      audit.actor,
      audit.action,
      audit.clientSource,
      JSON.stringify(audit.ownSourceDetail),
      JSON.stringify(audit.otherSourceDetail),
      audit.at,
      ...from.params,
    ],
  };
}

/** One multi-row INSERT for the cases a read returned (a search page). */
export function auditRowsValues(
  audit: ReadAudit,
  cases: ReadonlyArray<{ id: string; source: string }>,
): Statement {
  const counted = audit.countResults ? { resultCount: cases.length } : {};
  const own = JSON.stringify({ ...audit.ownSourceDetail, ...counted });
  const other = JSON.stringify({ ...audit.otherSourceDetail, ...counted });
  return {
    sql: `INSERT INTO ${COLUMNS} VALUES ${cases.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
    params: cases.flatMap((c) => [
      audit.actor,
      audit.action,
      c.id,
      c.source === audit.clientSource ? own : other,
      audit.at,
    ]),
  };
}
