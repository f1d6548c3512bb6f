import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { auditRowsInsert, auditRowsValues, type ReadAudit } from './read-audit';
import { SqlPackets, type Statement } from './sql-packets';

export interface CaseRecord {
  id: string;
  source: string;
  externalId: string;
  schemaVersion: number;
  serviceCode: string;
  status: string;
  regionCode: string;
  flags: string[];
  applicantMasked: string;
  payload: string;
  requestHash: string;
  acceptedAt: Date;
  dueAt: Date | null;
  completedAt: Date | null;
  overdueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A case as a search lists it: everything but the (encrypted, large) payload. */
export type CaseListRecord = Omit<CaseRecord, 'payload'>;

/** The columns a search reads: leaving out the payload keeps a lookup to the index and a few pages. */
const LIST_COLUMNS = `id, source, external_id, schema_version, service_code, status, region_code, flags,
  applicant_masked, request_hash, accepted_at, due_at, completed_at, overdue_at, created_at, updated_at`;

export interface DeliveryRecord {
  id: string;
  department: string;
  mapping: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  receiptRef: string | null;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
}

export interface CaseEventRecord {
  id: string;
  deliveryId: string | null;
  type: string;
  detail: Record<string, unknown> | null;
  createdAt: Date;
}

export interface CaseSearch {
  source?: string;
  externalId?: string;
  applicantIdHashes?: string[];
  status?: string;
  serviceCode?: string;
  /** true: open and marked overdue; false: not marked (or completed). */
  overdue?: boolean;
  from?: Date;
  to?: Date;
  /** Id of the last case of the previous page; ids grow with time (UUIDv7), newest first. */
  afterId?: string;
  limit: number;
}

type Row = Record<string, unknown>;

@Injectable()
export class CaseReadStore {
  constructor(
    private readonly db: DataSource,
    /** Optional for scripts that only search; the gateway always provides it. */
    @Optional() private readonly packets?: SqlPackets,
  ) {}

  /**
   * A case with its deliveries and timeline, read in one round trip (the case detail). `source`:
   * only a case of that source is found. `audit`: the read records itself in the same transaction.
   */
  async findCaseWithTimeline(
    id: string,
    options: { source?: string; audit?: ReadAudit } = {},
  ): Promise<{ record: CaseRecord; deliveries: DeliveryRecord[]; events: CaseEventRecord[] } | undefined> {
    const visible: Statement = options.source
      ? { sql: 'cases c WHERE c.id = ? AND c.source = ?', params: [id, options.source] }
      : { sql: 'cases c WHERE c.id = ?', params: [id] };
    const reads = [
      { sql: `SELECT c.* FROM ${visible.sql}`, params: visible.params },
      { sql: 'SELECT * FROM deliveries WHERE case_id = ? ORDER BY id', params: [id] },
      { sql: 'SELECT * FROM case_events WHERE case_id = ? ORDER BY id', params: [id] },
    ];
    let results: Row[][];
    if (options.audit) {
      const packets = this.requirePackets();
      results = (
        await packets.transaction<Row[]>([auditRowsInsert(options.audit, visible), ...reads], {
          readCommitted: true,
        })
      ).slice(1);
    } else if (this.packets) {
      results = await this.packets.selectAll(reads);
    } else {
      results = await Promise.all(reads.map((s) => this.db.query<Row[]>(s.sql, s.params)));
    }
    const [cases, deliveries, events] = results;
    if (!cases[0]) return undefined;
    return { record: toCase(cases[0]), deliveries: deliveries.map(toDelivery), events: events.map(toEvent) };
  }

  async findCase(id: string): Promise<CaseRecord | undefined> {
    const rows = await this.db.query<Row[]>('SELECT * FROM cases WHERE id = ?', [id]);
    return rows[0] ? toCase(rows[0]) : undefined;
  }

  async findDeliveries(caseIds: readonly string[]): Promise<Map<string, DeliveryRecord[]>> {
    if (caseIds.length === 0) return new Map();
    const rows = await this.db.query<Row[]>(
      `SELECT * FROM deliveries WHERE case_id IN (${caseIds.map(() => '?').join(', ')}) ORDER BY id`,
      [...caseIds],
    );
    return groupByCase(rows);
  }

  private searchStatement(query: CaseSearch, columns = LIST_COLUMNS): { sql: string; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (query.source) add('source = ?', query.source);
    if (query.externalId) add('external_id = ?', query.externalId);
    if (query.applicantIdHashes) {
      add(
        `applicant_id_hash IN (${query.applicantIdHashes.map(() => '?').join(', ')})`,
        ...query.applicantIdHashes,
      );
    }
    if (query.status) add('status = ?', query.status);
    if (query.serviceCode) add('service_code = ?', query.serviceCode);
    if (query.overdue === true) add('completed_at IS NULL AND overdue_at IS NOT NULL');
    if (query.overdue === false) add('(completed_at IS NOT NULL OR overdue_at IS NULL)');
    if (query.from) add('created_at >= ?', query.from);
    if (query.to) add('created_at < ?', query.to);
    if (query.afterId) add('id < ?', query.afterId);
    const sql = `SELECT ${columns} FROM cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return { sql, params: [...params, query.limit] };
  }

  async search(query: CaseSearch): Promise<CaseListRecord[]> {
    const { sql, params } = this.searchStatement(query);
    return (await this.db.query<Row[]>(sql, params)).map(toListed);
  }

  /**
   * A page of the search and its cases' deliveries, in one round trip (the resident lookup).
   * `audited`: then the first `pageSize` cases (the page is read one ahead, for the cursor) are
   * recorded, committed before this returns; the rows name exactly the cases read.
   */
  async searchWithDeliveries(
    query: CaseSearch,
    audited?: { audit: ReadAudit; pageSize: number },
  ): Promise<{ records: CaseListRecord[]; deliveries: Map<string, DeliveryRecord[]> }> {
    if (!this.packets && !audited) {
      const records = await this.search(query);
      return { records, deliveries: await this.findDeliveries(records.map((r) => r.id)) };
    }
    const packets = this.requirePackets();
    const search = this.searchStatement(query);
    const pageIds = this.searchStatement(query, 'id');
    const [cases, deliveries] = await packets.selectAll([
      search,
      {
        sql: `SELECT d.* FROM (${pageIds.sql}) page JOIN deliveries d ON d.case_id = page.id ORDER BY d.id`,
        params: pageIds.params,
      },
    ]);
    const records = cases.map(toListed);
    if (audited) {
      const disclosed = records.slice(0, audited.pageSize);
      if (disclosed.length > 0) await packets.transaction([auditRowsValues(audited.audit, disclosed)]);
    }
    return { records, deliveries: groupByCase(deliveries) };
  }

  private requirePackets(): SqlPackets {
    if (!this.packets) throw new Error('CaseReadStore: audited reads need SqlPackets');
    return this.packets;
  }
}

function toCase(r: Row): CaseRecord {
  return { ...toListed(r), payload: r.payload as string };
}

function toListed(r: Row): CaseListRecord {
  return {
    id: r.id as string,
    source: r.source as string,
    externalId: r.external_id as string,
    schemaVersion: Number(r.schema_version),
    serviceCode: r.service_code as string,
    status: r.status as string,
    regionCode: r.region_code as string,
    flags: r.flags ? (r.flags as string).split(',') : [],
    applicantMasked: r.applicant_masked as string,
    requestHash: r.request_hash as string,
    acceptedAt: r.accepted_at as Date,
    dueAt: (r.due_at as Date | null) ?? null,
    completedAt: (r.completed_at as Date | null) ?? null,
    overdueAt: (r.overdue_at as Date | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

function toDelivery(r: Row): DeliveryRecord {
  return {
    id: r.id as string,
    department: r.department as string,
    mapping: (r.mapping as string | null) ?? null,
    status: r.status as string,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    receiptRef: (r.receipt_ref as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    deliveredAt: (r.delivered_at as Date | null) ?? null,
  };
}

function toEvent(r: Row): CaseEventRecord {
  return {
    id: String(r.id),
    deliveryId: (r.delivery_id as string | null) ?? null,
    type: r.type as string,
    detail: r.detail ? (JSON.parse(r.detail as string) as Record<string, unknown>) : null,
    createdAt: r.created_at as Date,
  };
}

function groupByCase(rows: Row[]): Map<string, DeliveryRecord[]> {
  const byCase = new Map<string, DeliveryRecord[]>();
  for (const row of rows) {
    const list = byCase.get(row.case_id as string) ?? [];
    list.push(toDelivery(row));
    byCase.set(row.case_id as string, list);
  }
  return byCase;
}
