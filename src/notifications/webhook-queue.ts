import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JobName, WEBHOOK_QUEUE, type PlatformEventsJobData } from '../queue/queue-names';

/**
 * The `webhooks` queue: one job per case, jobId = case id. While a case's job waits, runs or sits
 * out a backoff, adding it again is a no-op, so the events of one case are never sent by two runs
 * at once. Jobs are removed when they end, so the next change can add the case again; an event
 * committed while its case's job is finishing is picked up by the sweeper.
 */
export class WebhookQueue {
  private readonly logger = new Logger(WebhookQueue.name);
  readonly queue?: Queue<PlatformEventsJobData>;
  private closed = false;

  constructor(connection: Redis, prefix: string, enabled: boolean) {
    if (enabled) this.queue = new Queue<PlatformEventsJobData>(WEBHOOK_QUEUE, { connection, prefix });
  }

  /** Makes sure the case has a job; harmless when it has one. */
  async enqueue(caseIds: readonly string[]): Promise<void> {
    if (!this.queue || caseIds.length === 0) return;
    await this.queue.addBulk(
      caseIds.map((caseId) => ({
        name: JobName.SendPlatformEvents,
        data: { caseId },
        opts: {
          jobId: caseId,
          // Platform outcomes are retried by the dispatcher (in MySQL); these attempts only cover
          // infrastructure errors (MySQL unreachable). A job given up on is gone: the sweeper re-adds it.
          attempts: 10,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }

  /** After a commit: send now rather than at the next sweep. Never fails the caller. */
  kick(caseId: string): void {
    // Changes committed while shutting down (deliveries in flight) are left to the next sweep.
    if (this.closed) return;
    this.enqueue([caseId]).catch((error: Error) =>
      this.logger.warn({
        msg: 'could not enqueue platform events; the sweeper will',
        caseId,
        error: error.message,
      }),
    );
  }

  /** After a replay: a job sitting out a backoff runs now, so the replayed event goes without waiting. */
  async restart(caseId: string): Promise<void> {
    if (!this.queue) return;
    const job = await this.queue.getJob(caseId);
    // An active job re-reads MySQL before it ends; the sweeper covers the moment it is ending.
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
    await this.enqueue([caseId]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue?.close();
  }
}
