import type { DataSource } from 'typeorm';

/** A case row as the statistics read it; personal-data columns get placeholders. */
export interface StatsCaseRow {
  id: string;
  source: string;
  externalId: string;
  service: string;
  status: string;
  region: string;
  created: Date;
  due: Date | null;
  completed: Date | null;
}

/** A delivery row as the statistics read it; `caseSource` etc. are the copies of its case's attributes. */
export interface StatsDeliveryRow {
  id: string;
  caseId: string;
  caseSource: string | null;
  caseService: string | null;
  caseRegion: string | null;
  department: string;
  status: string;
  created: Date;
  updated: Date;
  delivered: Date | null;
  final: Date | null;
  due: Date | null;
}

/**
 * Writes rows straight into the tables, for statistics tests that need cases spread over days and
 * outcomes the intake API would not let them back-date.
 */
export async function insertStatsCase(db: DataSource, row: StatsCaseRow): Promise<void> {
  await db.query(
    `INSERT INTO cases (id, source, external_id, schema_version, service_code, status, region_code,
       applicant_id_hash, applicant_masked, key_id, payload, request_hash, accepted_at, due_at,
       completed_at, created_at, updated_at)
     VALUES (?, ?, ?, 1, ?, ?, ?, 'k1:x', '{}', 'k1', 'x', ?, ?, ?, ?, ?, ?)`,
    [
      row.id,
      row.source,
      row.externalId,
      row.service,
      row.status,
      row.region,
      'f'.repeat(64),
      row.created,
      row.due,
      row.completed,
      row.created,
      row.created,
    ],
  );
}

export async function insertStatsDelivery(db: DataSource, row: StatsDeliveryRow): Promise<void> {
  await db.query(
    `INSERT INTO deliveries (id, case_id, case_source, case_service_code, case_region_code, department,
       status, attempts, created_at, updated_at, delivered_at, final_at, due_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
    [
      row.id,
      row.caseId,
      row.caseSource,
      row.caseService,
      row.caseRegion,
      row.department,
      row.status,
      row.created,
      row.updated,
      row.delivered,
      row.final,
      row.due,
    ],
  );
}
