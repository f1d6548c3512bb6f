import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Results back from departments (final time, polling schedule, receipt lookup), deadlines, and the
 * platform events (webhooks, resident notices) written in the same transaction as a status change.
 */
export class Lifecycle1764028800000 implements MigrationInterface {
  name = 'Lifecycle1764028800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE deliveries
      ADD COLUMN final_at DATETIME(3) NULL AFTER delivered_at,
      ADD COLUMN due_at DATETIME(3) NULL AFTER final_at,
      ADD COLUMN department_status VARCHAR(64) NULL AFTER receipt_ref,
      ADD COLUMN remark VARCHAR(512) NULL AFTER department_status,
      ADD COLUMN next_poll_at DATETIME(3) NULL AFTER replays,
      ADD COLUMN polls INT NOT NULL DEFAULT 0 AFTER next_poll_at,
      ADD KEY ix_deliveries_poll (department, next_poll_at),
      ADD KEY ix_deliveries_receipt (department, receipt_ref)`);
    await db.query(`ALTER TABLE cases
      ADD COLUMN completed_at DATETIME(3) NULL AFTER due_at,
      ADD COLUMN overdue_at DATETIME(3) NULL AFTER completed_at,
      ADD KEY ix_cases_open_due (completed_at, overdue_at, due_at)`);
    await db.query(`CREATE TABLE platform_events (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      case_id CHAR(36) CHARACTER SET ascii NOT NULL,
      source VARCHAR(64) NOT NULL,
      type VARCHAR(48) NOT NULL,
      payload TEXT NOT NULL,
      status VARCHAR(16) NOT NULL,
      attempts INT NOT NULL DEFAULT 0,
      next_attempt_at DATETIME(3) NULL,
      last_error VARCHAR(1024) NULL,
      created_at DATETIME(3) NOT NULL,
      sent_at DATETIME(3) NULL,
      KEY ix_platform_events_case (case_id, id),
      KEY ix_platform_events_pending (status, next_attempt_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE platform_events');
    await db.query(
      'ALTER TABLE cases DROP KEY ix_cases_open_due, DROP COLUMN completed_at, DROP COLUMN overdue_at',
    );
    await db.query(`ALTER TABLE deliveries DROP KEY ix_deliveries_poll, DROP KEY ix_deliveries_receipt,
      DROP COLUMN final_at, DROP COLUMN due_at, DROP COLUMN department_status, DROP COLUMN remark,
      DROP COLUMN next_poll_at, DROP COLUMN polls`);
  }
}
