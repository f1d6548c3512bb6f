import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Attempts with their evidence chain, retry scheduling columns, and the audit log of operator actions. */
export class DeliveryEngine1763856000000 implements MigrationInterface {
  name = 'DeliveryEngine1763856000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE deliveries
      ADD COLUMN next_attempt_at DATETIME(3) NULL AFTER attempts,
      ADD COLUMN last_outcome VARCHAR(16) NULL AFTER next_attempt_at,
      ADD COLUMN ambiguous TINYINT(1) NOT NULL DEFAULT 0 AFTER last_outcome,
      ADD COLUMN replays INT NOT NULL DEFAULT 0 AFTER ambiguous`);
    await db.query(`CREATE TABLE delivery_attempts (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      delivery_id CHAR(36) CHARACTER SET ascii NOT NULL,
      attempt INT NOT NULL,
      started_at DATETIME(3) NOT NULL,
      duration_ms INT NOT NULL,
      outcome VARCHAR(16) NOT NULL,
      error_class VARCHAR(48) NULL,
      http_status SMALLINT NULL,
      fault_code VARCHAR(128) NULL,
      reason VARCHAR(512) NULL,
      excerpt VARCHAR(1024) NULL,
      sent_hash CHAR(64) CHARACTER SET ascii NULL,
      received_hash CHAR(64) CHARACTER SET ascii NULL,
      prev_hash CHAR(64) CHARACTER SET ascii NULL,
      record_hash CHAR(64) CHARACTER SET ascii NOT NULL,
      KEY ix_attempts_delivery (delivery_id, id),
      KEY ix_attempts_started (started_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await db.query(`CREATE TABLE audit_log (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      actor VARCHAR(128) NOT NULL,
      action VARCHAR(48) NOT NULL,
      subject VARCHAR(128) NULL,
      detail TEXT NULL,
      created_at DATETIME(3) NOT NULL,
      KEY ix_audit_created (created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE audit_log');
    await db.query('DROP TABLE delivery_attempts');
    await db.query(
      'ALTER TABLE deliveries DROP COLUMN next_attempt_at, DROP COLUMN last_outcome, DROP COLUMN ambiguous, DROP COLUMN replays',
    );
  }
}
