import type { Statement } from './sql-packets';

/**
 * The audit_log rows a read of personal data writes about itself: one per case it discloses, in the
 * read's own transaction, so the rows name exactly the cases the answer holds and are committed
 * before it exists, in the same round trip as the read (src/insights/audit says who, why and how).
 */
export interface ReadAudit {
  actor: string;
  action: string;
  /** The reading client's source: its own cases get `ownSourceDetail`, any other `otherSourceDetail`. */
  clientSource: string;
  /** The detail column (JSON) for a case of the client's source and for another source's. */
  ownSourceDetail: string;
  otherSourceDetail: string;
  /** Searches: the detail also records how many cases the page returned, as `resultCount`. */
  countResults: boolean;
  at: Date;
}

/**
 * `INSERT … SELECT` of one row per case that `from` yields (a FROM clause with the cases as `c`).
 * `resultCount`: an SQL expression for the detail's `resultCount` when the audit counts results.
 */
export function auditRowsInsert(audit: ReadAudit, from: Statement, resultCount?: Statement): Statement {
  const perCase = 'IF(c.source = ?, ?, ?)';
  const perCaseParams = [audit.clientSource, audit.ownSourceDetail, audit.otherSourceDetail];
  const counted = audit.countResults && resultCount;
  return {
    sql: `INSERT INTO audit_log (actor, action, subject, detail, created_at)
      SELECT ?, ?, c.id, ${counted ? `JSON_INSERT(${perCase}, '$.resultCount', ${resultCount.sql})` : perCase}, ?
      FROM ${from.sql}`,
    params: [
      audit.actor,
      audit.action,
      ...perCaseParams,
      ...(counted ? resultCount.params : []),
      audit.at,
      ...from.params,
    ],
  };
}
