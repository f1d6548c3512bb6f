import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The intake clears a case's outbox entries by delivery id once its jobs are on their queues.
 * Without an index that DELETE reads the whole outbox, which is largest exactly when it matters:
 * after a Redis outage, when thousands of entries wait for the relay.
 */
export class OutboxByDelivery1764460800000 implements MigrationInterface {
  name = 'OutboxByDelivery1764460800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE outbox ADD KEY ix_outbox_delivery (delivery_id)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE outbox DROP KEY ix_outbox_delivery');
  }
}
