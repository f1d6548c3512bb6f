import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { DeliveryStatus } from '../lifecycle/delivery-status';
import { IntervalLoop } from '../common/background/interval-loop';
import type { DeliveryQueues } from '../queue/delivery-queues';
import { RedisLease } from '../queue/redis-lease';

const OPEN = [DeliveryStatus.Pending, DeliveryStatus.RetryWait, DeliveryStatus.Sending];

export interface ReconcilerOptions {
  intervalMs: number;
  /** A delivery younger than this is left to the normal flow (intake enqueue, outbox relay). */
  graceMs: number;
  lockKey: string;
  batch?: number;
}

/**
 * MySQL decides what is undelivered; this makes Redis agree. Every committed delivery that is still
 * open but has no live job (Redis flushed or restarted without its data, a job failed by stalling,
 * a crash between commit and enqueue) is put back on its queue. Job id = delivery id keeps it single.
 */
export class DeliveryReconciler {
  private readonly logger = new Logger(DeliveryReconciler.name);
  private readonly loop: IntervalLoop;
  private readonly lease: RedisLease;

  constructor(
    private readonly db: DataSource,
    private readonly queues: DeliveryQueues,
    private readonly redis: Redis,
    private readonly options: ReconcilerOptions,
  ) {
    this.loop = new IntervalLoop(DeliveryReconciler.name, options.intervalMs, () => this.runOnce());
    this.lease = new RedisLease(redis, options.lockKey, options.intervalMs * 3);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over every open delivery; returns how many were put back. */
  async runOnce(now = Date.now()): Promise<number> {
    if (!(await this.lease.acquire())) return 0;
    const cutoff = new Date(now - this.options.graceMs);
    let restored = 0;
    for (const department of this.queues.departments())
      for (const status of OPEN) restored += await this.reconcile(department, status, cutoff, now);
    if (restored > 0) this.logger.warn(`put ${restored} undelivered deliveries back on their queues`);
    return restored;
  }

  /**
   * Pages through one department's deliveries in one open status, in id order. The index on
   * (department, status, id) is named because it is the only plan that reads just the open rows: by
   * the primary key (what the optimizer picks on small tables) a pass reads every delivery ever made.
   */
  private async reconcile(department: string, status: DeliveryStatus, cutoff: Date, now: number) {
    let afterId = '';
    let restored = 0;
    for (;;) {
      const rows = await this.db.query<
        Array<{ id: string; department: string; next_attempt_at: Date | null }>
      >(
        `SELECT id, department, next_attempt_at FROM deliveries FORCE INDEX (ix_deliveries_department_status)
          WHERE department = ? AND status = ? AND id > ? AND updated_at < ? ORDER BY id LIMIT ?`,
        [department, status, afterId, cutoff, this.options.batch ?? 500],
      );
      if (rows.length === 0) return restored;
      afterId = rows[rows.length - 1].id;
      restored += await this.restore(rows, now);
    }
  }

  private async restore(
    rows: Array<{ id: string; department: string; next_attempt_at: Date | null }>,
    now: number,
  ): Promise<number> {
    // One command per delivery: every BullMQ job hash has `timestamp`; `finishedOn` is set when the
    // job completes or fails for good (and cleared again when a job is retried).
    const pipeline = this.redis.pipeline();
    for (const row of rows)
      pipeline.hmget(this.queues.get(row.department).toKey(row.id), 'timestamp', 'finishedOn');
    const replies = (await pipeline.exec()) ?? [];
    let restored = 0;
    for (let i = 0; i < rows.length; i++) {
      const [error, reply] = replies[i];
      if (error) throw error;
      const [created, finishedOn] = reply as [string | null, string | null];
      if (created !== null && finishedOn === null) continue; // a live job: waiting, delayed or active
      const row = rows[i];
      const queue = this.queues.get(row.department);
      // A finished job whose delivery is still open in MySQL is stale: replace it.
      if (created !== null) await queue.remove(row.id).catch(() => undefined);
      const delay = row.next_attempt_at ? Math.max(0, row.next_attempt_at.getTime() - now) : 0;
      await this.queues.enqueue([{ id: row.id, department: row.department }], delay);
      restored++;
    }
    return restored;
  }
}
