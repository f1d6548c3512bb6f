import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The case timeline: every change a resident or an integrator may want to see, in order. */
@Entity({ name: 'case_events' })
@Index('ix_case_events_case', ['caseId', 'id'])
export class CaseEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'case_id', type: 'char', length: 36, charset: 'ascii' }) caseId!: string;
  @Column({ name: 'delivery_id', type: 'char', length: 36, charset: 'ascii', nullable: true }) deliveryId!:
    string | null;
  @Column({ type: 'varchar', length: 48 }) type!: string;
  /** JSON; never holds personal data in clear. */
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
