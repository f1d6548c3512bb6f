import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The naive pipeline's case: one row, plain columns, saved with `repository.save()`. */
@Entity({ name: 'naive_cases' })
export class NaiveCase {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Index({ unique: true }) @Column({ name: 'external_id', length: 64 }) externalId!: string;
  @Column({ name: 'service_code', length: 64 }) serviceCode!: string;
  @Column({ name: 'region_code', length: 12 }) regionCode!: string;
  @Column({ type: 'json' }) applicant!: Record<string, unknown>;
  @Column({ type: 'json' }) form!: Record<string, unknown>;
  @Column({ name: 'accepted_by', type: 'json' }) acceptedBy!: Record<string, unknown>;
  @Column({ name: 'accepted_at', type: 'datetime', precision: 3 }) acceptedAt!: Date;
  @Column({ length: 24, default: 'PENDING' }) status!: string;
  @Column({ name: 'receipt_ref', type: 'varchar', length: 128, nullable: true }) receiptRef!: string | null;
  @CreateDateColumn({ name: 'created_at', precision: 3 }) createdAt!: Date;
  @Column({ name: 'delivered_at', type: 'datetime', precision: 3, nullable: true }) deliveredAt!: Date | null;
}
