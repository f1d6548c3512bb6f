import { Column, Entity, PrimaryColumn } from 'typeorm';

/** (source, key) → the case it created, with the hash of the request that created it. */
@Entity({ name: 'idempotency_records' })
export class IdempotencyRecordEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) source!: string;
  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 128 }) idempotencyKey!: string;
  @Column({ name: 'case_id', type: 'char', length: 36, charset: 'ascii' }) caseId!: string;
  @Column({ name: 'request_hash', type: 'char', length: 64, charset: 'ascii' }) requestHash!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
