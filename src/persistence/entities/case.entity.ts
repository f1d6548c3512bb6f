import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CaseStatus } from '../../lifecycle/case-status';

/**
 * A case as received. The canonical document is stored encrypted whole (`payload`); the columns in
 * clear are the ones searches need and carry no personal data, except masked forms for display.
 */
@Entity({ name: 'cases' })
@Index('uq_cases_source_external', ['source', 'externalId'], { unique: true })
@Index('ix_cases_applicant', ['applicantIdHash'])
@Index('ix_cases_status', ['status', 'id'])
@Index('ix_cases_service', ['serviceCode', 'id'])
@Index('ix_cases_created', ['createdAt'])
export class CaseEntity {
  @PrimaryColumn({ type: 'char', length: 36, charset: 'ascii' }) id!: string;
  @Column({ type: 'varchar', length: 64 }) source!: string;
  @Column({ name: 'external_id', type: 'varchar', length: 64 }) externalId!: string;
  @Column({ name: 'schema_version', type: 'smallint' }) schemaVersion!: number;
  @Column({ name: 'service_code', type: 'varchar', length: 64 }) serviceCode!: string;
  @Column({ type: 'varchar', length: 24 }) status!: CaseStatus;
  @Column({ name: 'region_code', type: 'char', length: 12, charset: 'ascii' }) regionCode!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) flags!: string | null;
  /** Keyed hash of the applicant's ID number, prefixed by its key id, for lookups by ID number. */
  @Column({ name: 'applicant_id_hash', type: 'varchar', length: 96, charset: 'ascii' })
  applicantIdHash!: string;
  @Column({ name: 'applicant_masked', type: 'varchar', length: 160 }) applicantMasked!: string;
  @Column({ name: 'key_id', type: 'varchar', length: 32, charset: 'ascii' }) keyId!: string;
  @Column({ type: 'mediumtext' }) payload!: string;
  @Column({ name: 'request_hash', type: 'char', length: 64, charset: 'ascii' }) requestHash!: string;
  @Column({ name: 'accepted_at', type: 'datetime', precision: 3 }) acceptedAt!: Date;
  @Column({ name: 'due_at', type: 'datetime', precision: 3, nullable: true }) dueAt!: Date | null;
  /** When every delivery reached a final result. */
  @Column({ name: 'completed_at', type: 'datetime', precision: 3, nullable: true }) completedAt!: Date | null;
  /** When the overdue scan found the case past its due time. */
  @Column({ name: 'overdue_at', type: 'datetime', precision: 3, nullable: true }) overdueAt!: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
