import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface OutboxEntry {
  id: string;
  deliveryId: string;
  department: string;
}

/** The deliveries committed but not yet confirmed on their queue. */
@Injectable()
export class OutboxStore {
  constructor(private readonly db: DataSource) {}

  async removeDeliveries(deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.db.query(
      `DELETE FROM outbox WHERE delivery_id IN (${deliveryIds.map(() => '?').join(', ')})`,
      [...deliveryIds],
    );
  }

  async olderThan(cutoff: Date, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db.query<Array<{ id: string; delivery_id: string; department: string }>>(
      'SELECT id, delivery_id, department FROM outbox WHERE created_at < ? ORDER BY id LIMIT ?',
      [cutoff, limit],
    );
    return rows.map((r) => ({ id: r.id, deliveryId: r.delivery_id, department: r.department }));
  }

  async removeEntries(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`DELETE FROM outbox WHERE id IN (${ids.map(() => '?').join(', ')})`, [...ids]);
  }
}
