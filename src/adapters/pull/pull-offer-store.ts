import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inTransaction, rows } from '../../persistence/transaction';

export interface LeasedOffer {
  deliveryId: string;
  message: string;
  offeredAt: Date;
}

/** Mapped deliveries waiting for a pulling department, with leases so that nothing fetched is lost. */
@Injectable()
export class PullOfferStore {
  constructor(private readonly db: DataSource) {}

  /** Offering the same delivery again (a retry, a replay) replaces the message and clears the lease. */
  async offer(deliveryId: string, department: string, encryptedMessage: string): Promise<void> {
    await this.db.query(
      `INSERT INTO pull_offers (delivery_id, department, message, offered_at) VALUES (?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE message = VALUES(message), lease_until = NULL, acked_at = NULL`,
      [deliveryId, department, encryptedMessage, new Date()],
    );
  }

  /** Takes up to `limit` unacknowledged offers whose lease is free and leases them. */
  async lease(
    department: string,
    limit: number,
    leaseSeconds: number,
    now = new Date(),
  ): Promise<LeasedOffer[]> {
    return inTransaction(this.db, async (runner) => {
      const found = await rows<Array<{ delivery_id: string; message: string; offered_at: Date }>>(
        runner,
        `SELECT delivery_id, message, offered_at FROM pull_offers
          WHERE department = ? AND acked_at IS NULL AND (lease_until IS NULL OR lease_until < ?)
          ORDER BY offered_at LIMIT ? FOR UPDATE SKIP LOCKED`,
        [department, now, limit],
      );
      if (found.length > 0) {
        await runner.query(
          `UPDATE pull_offers SET lease_until = ? WHERE delivery_id IN (${found.map(() => '?').join(', ')})`,
          [new Date(now.getTime() + leaseSeconds * 1000), ...found.map((f) => f.delivery_id)],
        );
      }
      return found.map((f) => ({ deliveryId: f.delivery_id, message: f.message, offeredAt: f.offered_at }));
    });
  }

  /** Marks an offer acknowledged; false when there is no such offer for this department. */
  async acknowledge(department: string, deliveryId: string): Promise<boolean> {
    const result = await this.db.query<{ affectedRows: number }>(
      'UPDATE pull_offers SET acked_at = COALESCE(acked_at, ?) WHERE department = ? AND delivery_id = ?',
      [new Date(), department, deliveryId],
    );
    return result.affectedRows > 0;
  }
}
