import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Something to tell a platform (webhook) or a resident (text message), written in the same
 * transaction as the status change it reports, so that none is lost; sent in id order per case.
 */
@Entity({ name: 'platform_events' })
@Index('ix_platform_events_case', ['caseId', 'id'])
@Index('ix_platform_events_pending', ['status', 'nextAttemptAt'])
export class PlatformEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'case_id', type: 'char', length: 36, charset: 'ascii' }) caseId!: string;
  @Column({ type: 'varchar', length: 64 }) source!: string;
  /** `case.status_changed` (webhook) or `resident.notice` (notifier). */
  @Column({ type: 'varchar', length: 48 }) type!: string;
  @Column({ type: 'text' }) payload!: string;
  /** PENDING, SENT, DEAD_LETTERED. */
  @Column({ type: 'varchar', length: 16 }) status!: string;
  @Column({ type: 'int', default: 0 }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3, nullable: true })
  nextAttemptAt!: Date | null;
  @Column({ name: 'last_error', type: 'varchar', length: 1024, nullable: true }) lastError!: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'sent_at', type: 'datetime', precision: 3, nullable: true }) sentAt!: Date | null;
}
