import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Daily roll-ups for GET /stats (src/insights/stats/rollup). A settled Beijing day is summed once
 * into small rows, so a range of whole days is answered from them instead of a scan of every case.
 * Written only by the background refresher; intake and deliveries never touch these tables.
 * - stats_rollup_days: which days are rolled up, when, and until when their on-time figures hold.
 * - stats_rollup_groups: one row per day, scope ('*' = every source, else one source), grouping
 *   and group: counts per status, dead letters, and the histograms of time to receipt and to the
 *   final result in the live query's 3-significant-digit buckets (binary (bucket, count) pairs), so
 *   summed histograms rank to the same percentiles. One row per group, not per bucket: a day's
 *   buckets are almost as many as its cases, and a year of them summed in SQL takes seconds.
 * - stats_rollup_day_answers: the live answer for groupBy=day, one day and scope per row.
 * - stats_rollup_state: the refresher's watermark of delivery changes already looked at.
 */
export class StatsRollups1764374400000 implements MigrationInterface {
  name = 'StatsRollups1764374400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE stats_rollup_days (
      day INT NOT NULL PRIMARY KEY,
      built_at DATETIME(3) NOT NULL,
      valid_until DATETIME(3) NULL,
      dirty TINYINT NOT NULL DEFAULT 0
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await db.query(`CREATE TABLE stats_rollup_groups (
      scope VARCHAR(64) NOT NULL,
      grouped_by VARCHAR(16) NOT NULL,
      day INT NOT NULL,
      gk VARCHAR(64) NOT NULL,
      statuses TEXT NOT NULL,
      dead_lettered INT NOT NULL,
      final_histogram MEDIUMBLOB NOT NULL,
      receipt_histogram MEDIUMBLOB NOT NULL,
      PRIMARY KEY (scope, grouped_by, day, gk),
      KEY ix_stats_rollup_groups_day (day)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await db.query(`CREATE TABLE stats_rollup_day_answers (
      day INT NOT NULL,
      scope VARCHAR(64) NOT NULL,
      answer MEDIUMTEXT NOT NULL,
      PRIMARY KEY (scope, day),
      KEY ix_stats_rollup_day_answers_day (day)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await db.query(`CREATE TABLE stats_rollup_state (
      name VARCHAR(32) NOT NULL PRIMARY KEY,
      at DATETIME(3) NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'stats_rollup_state',
      'stats_rollup_day_answers',
      'stats_rollup_groups',
      'stats_rollup_days',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
