import { Logger } from '@nestjs/common';
import type { PlatformConfig } from '../config/model/platform-config';
import { retryDelayMs } from '../delivery/backoff';
import type { PlatformEventRow, PlatformEventStore } from './platform-event-store';
import type { PlatformEventSender } from './platform-event-sender';
import { retryPolicyOf } from './platform-targets';
import type { WebhookMetrics } from './webhook-metrics';

/** Events read per query; a case rarely has more than a handful. */
const BATCH = 50;
/** Queries per run before handing over to a fresh run (a case that keeps producing events). */
const MAX_BATCHES = 10;

/**
 * Sends a case's pending events strictly in id order. The first one that fails stops the run, so a
 * later event never overtakes it; a dead-lettered one no longer holds the case up (it is replayed by
 * an operator). MySQL decides everything; the caller only learns when to run again.
 */
export class PlatformEventDispatcher {
  private readonly logger = new Logger(PlatformEventDispatcher.name);

  constructor(
    private readonly store: PlatformEventStore,
    private readonly sender: PlatformEventSender,
    private readonly platforms: ReadonlyMap<string, PlatformConfig>,
    private readonly metrics: WebhookMetrics,
  ) {}

  /** Sends what is due; returns when to run again (epoch ms), or undefined when nothing is left. */
  async dispatchCase(caseId: string): Promise<number | undefined> {
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const events = await this.store.pendingOfCase(caseId, BATCH);
      if (events.length === 0) return undefined;
      for (const event of events) {
        const due = event.nextAttemptAt?.getTime() ?? 0;
        if (due > Date.now()) return due;
        const retryAt = await this.attempt(event);
        if (retryAt !== undefined) return retryAt;
      }
    }
    return Date.now();
  }

  /** One attempt and its bookkeeping; returns the retry time when the event stays pending. */
  private async attempt(event: PlatformEventRow): Promise<number | undefined> {
    const policy = retryPolicyOf(this.platforms.get(event.source));
    const attempts = event.attempts + 1;
    const context = { eventId: event.id, caseId: event.caseId, source: event.source, type: event.type };
    const result = await this.sender.send(event);
    if (result.kind === 'sent' || result.kind === 'skipped') {
      await this.store.markSent(
        event.id,
        attempts,
        new Date(),
        result.kind === 'skipped' ? result.note : null,
      );
      this.metrics.attempt(event.type, result.kind);
      if (result.kind === 'skipped') this.logger.log({ msg: `not sent: ${result.note}`, ...context });
      return undefined;
    }
    if (result.permanent || attempts >= policy.attempts) {
      await this.store.markDeadLettered(event.id, attempts, result.error);
      this.metrics.attempt(event.type, 'dead_lettered');
      this.logger.warn({
        msg: 'platform event dead-lettered; replay it with POST /api/v1/admin/platform-events/{id}/replay',
        ...context,
        attempts,
        error: result.error,
      });
      return undefined;
    }
    const delay = Math.min(
      policy.maxDelayMs,
      Math.max(retryDelayMs(policy, attempts), result.retryAfterMs ?? 0),
    );
    const retryAt = Date.now() + delay;
    await this.store.markRetry(event.id, attempts, new Date(retryAt), result.error);
    this.metrics.attempt(event.type, 'failed');
    const message = result.refused
      ? 'the platform refused the event (check its webhook URL and secret); retrying'
      : 'platform event not delivered; retrying';
    const entry = { msg: message, ...context, attempts, retryInMs: delay, error: result.error };
    if (result.refused) this.logger.warn(entry);
    else this.logger.log(entry);
    return retryAt;
  }
}
