import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DeliveryStatus } from '../../lifecycle/delivery-status';

/** One routed department of a case. Its id is the BullMQ job id and the department's idempotency key. */
@Entity({ name: 'deliveries' })
@Index('ix_deliveries_case', ['caseId'])
@Index('ix_deliveries_department_status', ['department', 'status', 'id'])
@Index('ix_deliveries_status_updated', ['status', 'updatedAt'])
export class DeliveryEntity {
  @PrimaryColumn({ type: 'char', length: 36, charset: 'ascii' }) id!: string;
  @Column({ name: 'case_id', type: 'char', length: 36, charset: 'ascii' }) caseId!: string;
  @Column({ type: 'varchar', length: 32 }) department!: string;
  @Column({ type: 'varchar', length: 128, nullable: true }) mapping!: string | null;
  @Column({ type: 'varchar', length: 24 }) status!: DeliveryStatus;
  @Column({ type: 'int', default: 0 }) attempts!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'receipt_ref', type: 'varchar', length: 128, nullable: true }) receiptRef!: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
  @Column({ name: 'delivered_at', type: 'datetime', precision: 3, nullable: true }) deliveredAt!: Date | null;
  /** When the department's final result (APPROVED / REJECTED) arrived. */
  @Column({ name: 'final_at', type: 'datetime', precision: 3, nullable: true }) finalAt!: Date | null;
  /** The case's promised completion time, copied for per-department on-time statistics. */
  @Column({ name: 'due_at', type: 'datetime', precision: 3, nullable: true }) dueAt!: Date | null;
  /** The department's own status text as last reported (before reverse mapping). */
  @Column({ name: 'department_status', type: 'varchar', length: 64, nullable: true })
  departmentStatus!: string | null;
  @Column({ type: 'varchar', length: 512, nullable: true }) remark!: string | null;
  @Column({ name: 'next_poll_at', type: 'datetime', precision: 3, nullable: true }) nextPollAt!: Date | null;
  @Column({ type: 'int', default: 0 }) polls!: number;
}
