import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeliveryStatus } from '../../../lifecycle/delivery-status';

const WATERMARK = 'changes-seen';
const DELIVERY_STATUSES = Object.values(DeliveryStatus);

export interface RolledDay {
  day: number;
  builtAt: Date;
  validUntil: Date | null;
  dirty: boolean;
}

/**
 * Which days are rolled up, and which may have changed since. A case's statistics change only
 * together with one of its deliveries (the case status is rolled up from them in the same
 * transaction, and both carry the intake time), and every delivery change stamps updated_at: so
 * ix_deliveries_status_updated finds the changed days without any write or index of our own on the
 * hot paths.
 */
@Injectable()
export class StatsRollupDays {
  constructor(private readonly db: DataSource) {}

  /** The Beijing day of the oldest case; undefined without cases. ix_cases_created's first entry. */
  async firstDay(): Promise<number | undefined> {
    const [row] = await this.db.query<Array<{ day: number | null }>>(
      'SELECT TO_DAYS(MIN(created_at) + INTERVAL 8 HOUR) AS day FROM cases',
    );
    return row?.day === null || row?.day === undefined ? undefined : Number(row.day);
  }

  async rolled(first: number, end: number): Promise<RolledDay[]> {
    const rows = await this.db.query<
      Array<{ day: number; built_at: Date; valid_until: Date | null; dirty: number }>
    >('SELECT day, built_at, valid_until, dirty FROM stats_rollup_days WHERE day >= ? AND day < ?', [
      first,
      end,
    ]);
    return rows.map((r) => ({
      day: Number(r.day),
      builtAt: r.built_at,
      validUntil: r.valid_until,
      dirty: Number(r.dirty) === 1,
    }));
  }

  /** The days of deliveries changed at or after `since` (one index range per status). */
  async changedSince(since: Date): Promise<number[]> {
    const rows = await this.db.query<Array<{ day: number }>>(
      `SELECT DISTINCT TO_DAYS(created_at + INTERVAL 8 HOUR) AS day
       FROM deliveries FORCE INDEX (ix_deliveries_status_updated)
       WHERE status IN (?) AND updated_at >= ?`,
      [DELIVERY_STATUSES, since],
    );
    return rows.map((r) => Number(r.day));
  }

  /** Readers stop using these days at once; the refresher rebuilds them. */
  async markDirty(days: readonly number[]): Promise<void> {
    if (days.length > 0)
      await this.db.query('UPDATE stats_rollup_days SET dirty = 1 WHERE day IN (?)', [days]);
  }

  async markAllDirty(): Promise<void> {
    await this.db.query('UPDATE stats_rollup_days SET dirty = 1');
  }

  async watermark(): Promise<Date | undefined> {
    const [row] = await this.db.query<Array<{ at: Date }>>(
      'SELECT at FROM stats_rollup_state WHERE name = ?',
      [WATERMARK],
    );
    return row?.at;
  }

  async setWatermark(at: Date): Promise<void> {
    await this.db.query(
      'INSERT INTO stats_rollup_state (name, at) VALUES (?, ?) ON DUPLICATE KEY UPDATE at = VALUES(at)',
      [WATERMARK, at],
    );
  }
}
