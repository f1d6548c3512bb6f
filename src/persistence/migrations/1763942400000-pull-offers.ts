import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Deliveries waiting for a department that pulls them (it refuses inbound connections). */
export class PullOffers1763942400000 implements MigrationInterface {
  name = 'PullOffers1763942400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE pull_offers (
      delivery_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
      department VARCHAR(32) NOT NULL,
      message MEDIUMTEXT NOT NULL,
      offered_at DATETIME(3) NOT NULL,
      lease_until DATETIME(3) NULL,
      acked_at DATETIME(3) NULL,
      KEY ix_pull_offers_department (department, acked_at, lease_until)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE pull_offers');
  }
}
