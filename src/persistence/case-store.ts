import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CaseStatus } from '../lifecycle/case-status';
import type { DeliveryStatus } from '../lifecycle/delivery-status';
import { GroupCommit } from './group-commit';
import { isDuplicateKey } from './mysql-errors';
import { SqlPackets, type Statement } from './sql-packets';

export interface NewCaseRow {
  id: string;
  source: string;
  externalId: string;
  schemaVersion: number;
  serviceCode: string;
  status: CaseStatus;
  regionCode: string;
  flags: string[];
  applicantIdHash: string;
  applicantMasked: string;
  keyId: string;
  payload: string;
  requestHash: string;
  acceptedAt: Date;
  /** From the service's promised handling time; copied to each delivery for per-department on-time stats. */
  dueAt: Date | null;
}

export interface NewDeliveryRow {
  id: string;
  department: string;
  mapping: string | null;
  status: DeliveryStatus;
}

export interface NewCaseEvent {
  type: string;
  deliveryId?: string;
  detail?: Record<string, unknown>;
}

export interface NewCase {
  row: NewCaseRow;
  idempotencyKey: string;
  deliveries: NewDeliveryRow[];
  events: NewCaseEvent[];
}

interface Pending {
  input: NewCase;
  now: Date;
}

export type CreateCaseResult =
  { kind: 'created' } | { kind: 'existing'; caseId: string; requestHash: string };

/**
 * Writes a case, its deliveries, timeline and outbox entries in one transaction. Raw SQL on the
 * intake hot path, sent in one packet (SqlPackets): this runs for every submitted case. Concurrent submissions share transactions
 * (group commit), with multi-row INSERTs; a batch that hits a duplicate key is redone case by case,
 * so an idempotent repeat never fails its neighbours.
 */
@Injectable()
export class CaseStore {
  private readonly group = new GroupCommit<Pending, CreateCaseResult>((items) => this.writeBatch(items), {
    maxBatch: 100,
    maxInFlight: 4,
  });

  constructor(
    private readonly db: DataSource,
    private readonly packets: SqlPackets,
  ) {}

  create(input: NewCase, now = new Date()): Promise<CreateCaseResult> {
    return this.group.submit({ input, now });
  }

  private async writeBatch(items: Pending[]): Promise<CreateCaseResult[]> {
    if (items.length > 1) {
      try {
        await this.insertAll(items);
        return items.map(() => ({ kind: 'created' }));
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    const results: CreateCaseResult[] = [];
    for (const item of items) results.push(await this.createOne(item));
    return results;
  }

  private async createOne(item: Pending): Promise<CreateCaseResult> {
    try {
      await this.insertAll([item]);
      return { kind: 'created' };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const { row, idempotencyKey } = item.input;
      const existing = await this.findExisting(row.source, idempotencyKey, row.externalId);
      if (!existing) throw error;
      return { kind: 'existing', ...existing };
    }
  }

  /** The five multi-row INSERTs of a batch, sent as one transaction in one packet. */
  private insertAll(items: Pending[]): Promise<unknown> {
    return this.packets.transaction(insertStatements(items));
  }

  /** The case an earlier submission created under the same idempotency key or external id. */
  private async findExisting(
    source: string,
    idempotencyKey: string,
    externalId: string,
  ): Promise<{ caseId: string; requestHash: string } | undefined> {
    const byKey = await this.db.query<Array<{ case_id: string; request_hash: string }>>(
      'SELECT case_id, request_hash FROM idempotency_records WHERE source = ? AND idempotency_key = ?',
      [source, idempotencyKey],
    );
    if (byKey[0]) return { caseId: byKey[0].case_id, requestHash: byKey[0].request_hash };
    const byExternal = await this.db.query<Array<{ id: string; request_hash: string }>>(
      'SELECT id, request_hash FROM cases WHERE source = ? AND external_id = ?',
      [source, externalId],
    );
    return byExternal[0] ? { caseId: byExternal[0].id, requestHash: byExternal[0].request_hash } : undefined;
  }
}

const values = (count: number, placeholders: string) => Array(count).fill(placeholders).join(', ');

/** A case, its deliveries, outbox entries and timeline: five multi-row INSERTs for a whole batch. */
function insertStatements(items: Pending[]): Statement[] {
  const deliveries = items.flatMap(({ input, now }) =>
    input.deliveries.map((d) => ({ d, c: input.row, now })),
  );
  const events = items.flatMap(({ input, now }) =>
    input.events.map((e) => ({ e, caseId: input.row.id, now })),
  );
  const statements: Statement[] = [
    {
      sql: `INSERT INTO idempotency_records (source, idempotency_key, case_id, request_hash, created_at)
        VALUES ${values(items.length, '(?, ?, ?, ?, ?)')}`,
      params: items.flatMap(({ input, now }) => [
        input.row.source,
        input.idempotencyKey,
        input.row.id,
        input.row.requestHash,
        now,
      ]),
    },
    {
      sql: `INSERT INTO cases (id, source, external_id, schema_version, service_code, status, region_code, flags,
        applicant_id_hash, applicant_masked, key_id, payload, request_hash, accepted_at, due_at, created_at, updated_at)
        VALUES ${values(items.length, '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')}`,
      params: items.flatMap(({ input: { row: c }, now }) => [
        c.id,
        c.source,
        c.externalId,
        c.schemaVersion,
        c.serviceCode,
        c.status,
        c.regionCode,
        c.flags.length > 0 ? c.flags.join(',') : null,
        c.applicantIdHash,
        c.applicantMasked,
        c.keyId,
        c.payload,
        c.requestHash,
        c.acceptedAt,
        c.dueAt,
        now,
        now,
      ]),
    },
    // The case's source, service and region ride along for the statistics (they never change).
    {
      sql: `INSERT INTO deliveries (id, case_id, case_source, case_service_code, case_region_code, department,
        mapping, status, attempts, due_at, created_at, updated_at)
        VALUES ${values(deliveries.length, '(?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)')}`,
      params: deliveries.flatMap(({ d, c, now }) => [
        d.id,
        c.id,
        c.source,
        c.serviceCode,
        c.regionCode,
        d.department,
        d.mapping,
        d.status,
        c.dueAt,
        now,
        now,
      ]),
    },
    {
      sql: `INSERT INTO outbox (delivery_id, department, created_at) VALUES ${values(deliveries.length, '(?, ?, ?)')}`,
      params: deliveries.flatMap(({ d, now }) => [d.id, d.department, now]),
    },
  ];
  if (events.length > 0) {
    statements.push({
      sql: `INSERT INTO case_events (case_id, delivery_id, type, detail, created_at)
        VALUES ${values(events.length, '(?, ?, ?, ?, ?)')}`,
      params: events.flatMap(({ e, caseId, now }) => [
        caseId,
        e.deliveryId ?? null,
        e.type,
        e.detail ? JSON.stringify(e.detail) : null,
        now,
      ]),
    });
  }
  return statements;
}
