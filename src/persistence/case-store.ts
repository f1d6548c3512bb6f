import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import type { CaseStatus } from '../lifecycle/case-status';
import type { DeliveryStatus } from '../lifecycle/delivery-status';
import { isDuplicateKey } from './mysql-errors';

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

export type CreateCaseResult =
  { kind: 'created' } | { kind: 'existing'; caseId: string; requestHash: string };

/**
 * Writes a case, its deliveries, timeline and outbox entries in one transaction. Raw SQL on the
 * intake hot path: this runs for every submitted case.
 */
@Injectable()
export class CaseStore {
  constructor(private readonly db: DataSource) {}

  async create(input: NewCase, now = new Date()): Promise<CreateCaseResult> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await this.insertAll(runner, input, now);
      await runner.commitTransaction();
      return { kind: 'created' };
    } catch (error) {
      await runner.rollbackTransaction();
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.findExisting(input.row.source, input.idempotencyKey, input.row.externalId);
      if (!existing) throw error;
      return { kind: 'existing', ...existing };
    } finally {
      await runner.release();
    }
  }

  private async insertAll(runner: QueryRunner, input: NewCase, now: Date): Promise<void> {
    const c = input.row;
    await runner.query(
      'INSERT INTO idempotency_records (source, idempotency_key, case_id, request_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      [c.source, input.idempotencyKey, c.id, c.requestHash, now],
    );
    await runner.query(
      `INSERT INTO cases (id, source, external_id, schema_version, service_code, status, region_code, flags,
        applicant_id_hash, applicant_masked, key_id, payload, request_hash, accepted_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
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
        now,
        now,
      ],
    );
    const deliveries = input.deliveries;
    await runner.query(
      `INSERT INTO deliveries (id, case_id, department, mapping, status, attempts, created_at, updated_at)
       VALUES ${deliveries.map(() => '(?, ?, ?, ?, ?, 0, ?, ?)').join(', ')}`,
      deliveries.flatMap((d) => [d.id, c.id, d.department, d.mapping, d.status, now, now]),
    );
    await runner.query(
      `INSERT INTO outbox (delivery_id, department, created_at) VALUES ${deliveries.map(() => '(?, ?, ?)').join(', ')}`,
      deliveries.flatMap((d) => [d.id, d.department, now]),
    );
    if (input.events.length > 0) {
      await runner.query(
        `INSERT INTO case_events (case_id, delivery_id, type, detail, created_at) VALUES ${input.events.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        input.events.flatMap((e) => [
          c.id,
          e.deliveryId ?? null,
          e.type,
          e.detail ? JSON.stringify(e.detail) : null,
          now,
        ]),
      );
    }
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
