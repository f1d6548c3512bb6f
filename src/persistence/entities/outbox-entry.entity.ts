import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A delivery committed but not yet confirmed on its queue. Written in the case's transaction and
 * removed once the job is in Redis, so a crash between commit and enqueue loses nothing.
 */
@Entity({ name: 'outbox' })
@Index('ix_outbox_created', ['createdAt'])
@Index('ix_outbox_delivery', ['deliveryId'])
export class OutboxEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'delivery_id', type: 'char', length: 36, charset: 'ascii' }) deliveryId!: string;
  @Column({ type: 'varchar', length: 32 }) department!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
