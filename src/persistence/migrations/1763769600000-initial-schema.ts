import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763769600000 implements MigrationInterface {
  name = 'InitialSchema1763769600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE cases (
      id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
      source VARCHAR(64) NOT NULL,
      external_id VARCHAR(64) NOT NULL,
      schema_version SMALLINT NOT NULL,
      service_code VARCHAR(64) NOT NULL,
      status VARCHAR(24) NOT NULL,
      region_code CHAR(12) CHARACTER SET ascii NOT NULL,
      flags VARCHAR(255) NULL,
      applicant_id_hash VARCHAR(96) CHARACTER SET ascii NOT NULL,
      applicant_masked VARCHAR(160) NOT NULL,
      key_id VARCHAR(32) CHARACTER SET ascii NOT NULL,
      payload MEDIUMTEXT NOT NULL,
      request_hash CHAR(64) CHARACTER SET ascii NOT NULL,
      accepted_at DATETIME(3) NOT NULL,
      due_at DATETIME(3) NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      UNIQUE KEY uq_cases_source_external (source, external_id),
      KEY ix_cases_applicant (applicant_id_hash),
      KEY ix_cases_status (status, id),
      KEY ix_cases_service (service_code, id),
      KEY ix_cases_created (created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await db.query(`CREATE TABLE deliveries (
      id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
      case_id CHAR(36) CHARACTER SET ascii NOT NULL,
      department VARCHAR(32) NOT NULL,
      mapping VARCHAR(128) NULL,
      status VARCHAR(24) NOT NULL,
      attempts INT NOT NULL DEFAULT 0,
      last_error TEXT NULL,
      receipt_ref VARCHAR(128) NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      delivered_at DATETIME(3) NULL,
      KEY ix_deliveries_case (case_id),
      KEY ix_deliveries_department_status (department, status, id),
      KEY ix_deliveries_status_updated (status, updated_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await db.query(`CREATE TABLE case_events (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      case_id CHAR(36) CHARACTER SET ascii NOT NULL,
      delivery_id CHAR(36) CHARACTER SET ascii NULL,
      type VARCHAR(48) NOT NULL,
      detail TEXT NULL,
      created_at DATETIME(3) NOT NULL,
      KEY ix_case_events_case (case_id, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await db.query(`CREATE TABLE idempotency_records (
      source VARCHAR(64) NOT NULL,
      idempotency_key VARCHAR(128) NOT NULL,
      case_id CHAR(36) CHARACTER SET ascii NOT NULL,
      request_hash CHAR(64) CHARACTER SET ascii NOT NULL,
      created_at DATETIME(3) NOT NULL,
      PRIMARY KEY (source, idempotency_key)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await db.query(`CREATE TABLE outbox (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      delivery_id CHAR(36) CHARACTER SET ascii NOT NULL,
      department VARCHAR(32) NOT NULL,
      created_at DATETIME(3) NOT NULL,
      KEY ix_outbox_created (created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'idempotency_records', 'case_events', 'deliveries', 'cases']) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
