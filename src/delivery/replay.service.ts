import type { DataSource } from 'typeorm';
import { ProblemException } from '../common/problem/problem';
import { DeliveryStatus } from '../lifecycle/delivery-status';
import type { DeliveryQueues } from '../queue/delivery-queues';
import type { DeliveryStore } from './delivery-store';
import type { StatusChangeNotifier } from './status-change-notifier';

export interface BulkReplayFilter {
  department?: string;
  status?: DeliveryStatus.DeadLettered | DeliveryStatus.Rejected;
  from?: Date;
  to?: Date;
  dryRun?: boolean;
  limit?: number;
}

/** Only deliveries someone gave up on can be replayed; a delivered one never is. */
const REPLAYABLE = [DeliveryStatus.DeadLettered, DeliveryStatus.Rejected];

/** Operator replays of dead letters (and department rejections after a fix), audited. */
export class ReplayService {
  constructor(
    private readonly db: DataSource,
    private readonly store: DeliveryStore,
    private readonly queues: DeliveryQueues,
    private readonly notifier: StatusChangeNotifier,
  ) {}

  async replay(deliveryId: string, actor: string): Promise<{ id: string; status: string }> {
    const work = await this.store.load(deliveryId);
    if (!work) throw ProblemException.notFound(`No delivery ${deliveryId}.`);
    if (!REPLAYABLE.includes(work.status)) {
      throw ProblemException.conflict(
        `Delivery ${deliveryId} is ${work.status}; only ${REPLAYABLE.join(' or ')} deliveries can be replayed.`,
        {
          status: 409,
          deliveryStatus: work.status,
        },
      );
    }
    const { applied, caseChange } = await this.store.transition(
      work,
      { status: DeliveryStatus.Pending, lastError: null, nextAttemptAt: null },
      { type: 'DELIVERY_REPLAYED', detail: { by: actor, previousStatus: work.status } },
      REPLAYABLE,
    );
    if (!applied)
      throw ProblemException.conflict(`Delivery ${deliveryId} changed while replaying; try again.`);
    await this.db.query('UPDATE deliveries SET replays = replays + 1 WHERE id = ?', [deliveryId]);
    await this.audit(actor, 'delivery.replay', deliveryId, { previousStatus: work.status });
    // Replace any finished job so the same id (the department's idempotency key) runs again.
    const queue = this.queues.get(work.department);
    await queue.remove(deliveryId).catch(() => undefined);
    await this.queues.enqueue([{ id: deliveryId, department: work.department }]);
    if (caseChange) this.notifier.caseStatusChanged(work, caseChange);
    return { id: deliveryId, status: DeliveryStatus.Pending };
  }

  async replayMany(
    filter: BulkReplayFilter,
    actor: string,
  ): Promise<{ matched: number; replayed: number; dryRun: boolean }> {
    const where = [`status IN (${REPLAYABLE.map(() => '?').join(', ')})`];
    const params: unknown[] = [...REPLAYABLE];
    if (filter.status) {
      where[0] = 'status = ?';
      params.splice(0, params.length, filter.status);
    }
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      params.push(value);
    };
    if (filter.department) add('department = ?', filter.department);
    if (filter.from) add('updated_at >= ?', filter.from);
    if (filter.to) add('updated_at < ?', filter.to);
    const rows = await this.db.query<Array<{ id: string }>>(
      `SELECT id FROM deliveries WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`,
      [...params, filter.limit ?? 10_000],
    );
    if (filter.dryRun) return { matched: rows.length, replayed: 0, dryRun: true };
    let replayed = 0;
    for (const row of rows) {
      try {
        await this.replay(row.id, actor);
        replayed++;
      } catch (error) {
        if (!(error instanceof ProblemException)) throw error;
      }
    }
    await this.audit(actor, 'delivery.replay-bulk', filter.department ?? null, {
      ...filter,
      matched: rows.length,
      replayed,
    });
    return { matched: rows.length, replayed, dryRun: false };
  }

  private async audit(
    actor: string,
    action: string,
    subject: string | null,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.db.query(
      'INSERT INTO audit_log (actor, action, subject, detail, created_at) VALUES (?, ?, ?, ?, ?)',
      [actor, action, subject, JSON.stringify(detail), new Date()],
    );
  }
}
