import { Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import type { PersonalDataCipher } from '../common/crypto/personal-data-cipher';
import { scrubPersonalData } from '../common/masking';
import type { AdapterRegistry } from '../adapters/adapter-registry';
import type { DeliveryOutcome } from '../adapters/sdk/delivery-outcome';
import type { DepartmentAdapter } from '../adapters/sdk/department-adapter';
import type { CanonicalCase } from '../gateway/intake/canonical-case';
import { DeliveryStatus } from '../lifecycle/delivery-status';
import type { MappingRegistry } from '../mappings/mapping-registry';
import type { DeliveryQueues } from '../queue/delivery-queues';
import type { DeliveryJobData } from '../queue/queue-names';
import { retryDelayMs } from './backoff';
import { CircuitState } from './circuit-breaker';
import type { DeliveryMetrics } from './delivery-metrics';
import type { DeliveryStore, DeliveryUpdate, DeliveryWork } from './delivery-store';
import type { DepartmentRuntime } from './department-runtime';
import { evidenceRecordHash } from './evidence-chain';
import type { StatusChangeNotifier } from './status-change-notifier';

const OPEN_STATUSES: ReadonlySet<DeliveryStatus> = new Set([
  DeliveryStatus.Pending,
  DeliveryStatus.RetryWait,
  DeliveryStatus.Sending,
]);

/**
 * One delivery job: decide from MySQL whether anything is to be done, ask the department first
 * after an ambiguous attempt, map, send, and record the outcome and its evidence in one transaction.
 */
export class DeliveryEngine {
  private readonly logger = new Logger(DeliveryEngine.name);

  constructor(
    private readonly store: DeliveryStore,
    private readonly adapters: AdapterRegistry,
    private readonly mappings: MappingRegistry,
    private readonly cipher: PersonalDataCipher,
    private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
    private readonly queues: DeliveryQueues,
    private readonly notifier: StatusChangeNotifier,
    private readonly metrics: DeliveryMetrics,
  ) {}

  async process(job: Job<DeliveryJobData>, token: string | undefined): Promise<string> {
    const work = await this.store.load(job.data.deliveryId);
    if (!work) return 'unknown delivery';
    if (!OPEN_STATUSES.has(work.status)) return `nothing to do: ${work.status}`;
    const department = this.departments.get(work.department);
    if (!department) throw new Error(`department ${work.department} is not configured or disabled`);

    const now = Date.now();
    const opensAt = department.calendar.nextOpening(new Date(now)).getTime();
    if (opensAt > now) return this.delay(job, token, opensAt, 'department calendar closed');
    const circuit = await department.breaker.snapshot();
    if (circuit.state === CircuitState.Open)
      return this.delay(job, token, Math.max(circuit.nextProbeAt, now + 1_000), 'circuit open');
    if (work.nextAttemptAt && work.nextAttemptAt.getTime() > now + 1_000) {
      return this.delay(job, token, work.nextAttemptAt.getTime(), 'not due yet');
    }

    const adapter = await this.adapters.get(work.department);
    if (
      (work.status === DeliveryStatus.Sending || work.ambiguous) &&
      (await this.confirmedByDepartment(work, adapter))
    ) {
      return 'confirmed by status check';
    }

    const attempt = await this.store.claimAttempt(work.id, work.attempts);
    if (attempt === undefined) return 'claimed elsewhere or closed';
    const startedAt = new Date();
    const outcome = await this.attempt(work, adapter, attempt, department);
    const durationMs = Date.now() - startedAt.getTime();
    this.metrics.attempt(work.department, outcome.kind, durationMs);
    await this.recordOutcome(work, department, attempt, startedAt, durationMs, outcome);

    if (outcome.kind === 'transient' && attempt < department.config.delivery.retry.attempts) {
      const retryAt =
        Date.now() + (outcome.retryAfterMs ?? retryDelayMs(department.config.delivery.retry, attempt));
      return this.delay(job, token, retryAt, `retry after: ${outcome.reason}`);
    }
    return outcome.kind;
  }

  private async attempt(
    work: DeliveryWork,
    adapter: DepartmentAdapter,
    attempt: number,
    department: DepartmentRuntime,
  ): Promise<DeliveryOutcome> {
    const document = JSON.parse(this.cipher.decrypt(work.casePayload)) as CanonicalCase;
    let message: unknown = document;
    if (work.mapping) {
      const mapped = await this.mappings.forward(work.mapping).map(document, {
        caseId: work.caseId,
        deliveryId: work.id,
        department: work.department,
        now: new Date(),
      });
      if (!mapped.ok) {
        const reason = mapped.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
        return {
          kind: 'permanent',
          reason: `mapping ${work.mapping} failed: ${reason}`,
          errorClass: 'MAPPING',
        };
      }
      message = mapped.message;
    }
    const signal = AbortSignal.timeout(department.config.delivery.timeoutMs);
    try {
      return await adapter.deliver({
        deliveryId: work.id,
        caseId: work.caseId,
        department: work.department,
        attempt,
        message,
        signal,
      });
    } catch (error) {
      // An adapter should classify; anything it throws is treated as an unknown outcome, never a loss.
      this.logger.error({
        msg: 'adapter threw instead of returning an outcome',
        deliveryId: work.id,
        error: (error as Error).message,
      });
      return {
        kind: 'transient',
        reason: `adapter error: ${(error as Error).message}`,
        ambiguous: true,
        errorClass: 'ADAPTER_ERROR',
      };
    }
  }

  private async recordOutcome(
    work: DeliveryWork,
    department: DepartmentRuntime,
    attempt: number,
    startedAt: Date,
    durationMs: number,
    outcome: DeliveryOutcome,
  ): Promise<void> {
    const exchange = outcome.exchange;
    const sentHash = exchange?.sent ? this.cipher.digest(exchange.sent) : null;
    const receivedHash = exchange?.received ? this.cipher.digest(exchange.received) : null;
    const { update, event } = this.nextState(outcome, department, attempt);
    const change = await this.store.finishAttempt(
      work,
      {
        attempt,
        startedAt,
        durationMs,
        outcome: outcome.kind,
        errorClass: 'errorClass' in outcome ? outcome.errorClass : undefined,
        httpStatus: exchange?.httpStatus,
        faultCode: exchange?.faultCode,
        reason: 'reason' in outcome ? scrubPersonalData(outcome.reason) : undefined,
        excerpt: exchange?.received
          ? scrubPersonalData(exchange.received.subarray(0, 600).toString('utf8'))
          : undefined,
        sentHash,
        receivedHash,
      },
      update,
      event,
      (prevHash) =>
        evidenceRecordHash(
          {
            deliveryId: work.id,
            attempt,
            startedAt,
            outcome: outcome.kind,
            sentHash,
            receivedHash,
            prevHash,
          },
          (data) => this.cipher.digest(data),
        ),
    );
    await this.updateBreaker(department, outcome);
    this.metrics.outcome(work.department, update.status);
    // One line per attempt, with the ids an operator searches by; reasons are scrubbed of personal data.
    this.logger.log({
      msg: 'delivery attempt',
      caseId: work.caseId,
      deliveryId: work.id,
      department: work.department,
      attempt,
      outcome: outcome.kind,
      status: update.status,
      durationMs,
      errorClass: 'errorClass' in outcome ? outcome.errorClass : undefined,
      reason: 'reason' in outcome ? scrubPersonalData(outcome.reason) : undefined,
    });
    if (change) this.notifier.caseStatusChanged(work, change);
  }

  private nextState(outcome: DeliveryOutcome, department: DepartmentRuntime, attempt: number) {
    const now = new Date();
    switch (outcome.kind) {
      case 'queued':
      case 'delivered': {
        if (outcome.kind === 'queued' && outcome.awaiting === 'pickup') {
          return {
            update: {
              status: DeliveryStatus.AwaitingPickup,
              lastOutcome: 'queued',
              lastError: null,
              ambiguous: false,
              nextAttemptAt: null,
            },
            event: { type: 'DELIVERY_OFFERED', detail: { department: department.config.code, attempt } },
          };
        }
        const reference = outcome.kind === 'delivered' ? (outcome.receipt.reference ?? null) : null;
        const update: DeliveryUpdate = {
          status: DeliveryStatus.Delivered,
          lastOutcome: outcome.kind,
          lastError: null,
          ambiguous: false,
          nextAttemptAt: null,
          receiptRef: reference,
          deliveredAt: now,
        };
        return {
          update,
          event: {
            type: 'DELIVERY_DELIVERED',
            detail: { department: department.config.code, attempt, reference },
          },
        };
      }
      case 'permanent':
        return {
          update: {
            status: DeliveryStatus.Rejected,
            lastOutcome: 'permanent',
            lastError: outcome.reason,
            ambiguous: false,
            nextAttemptAt: null,
          },
          event: {
            type: 'DELIVERY_REJECTED',
            detail: {
              department: department.config.code,
              attempt,
              reason: scrubPersonalData(outcome.reason),
            },
          },
        };
      case 'transient': {
        const exhausted = attempt >= department.config.delivery.retry.attempts;
        const base = {
          lastOutcome: 'transient',
          lastError: outcome.reason,
          ambiguous: outcome.ambiguous ?? false,
        };
        if (exhausted) {
          return {
            update: { ...base, status: DeliveryStatus.DeadLettered, nextAttemptAt: null },
            event: {
              type: 'DELIVERY_DEAD_LETTERED',
              detail: {
                department: department.config.code,
                attempt,
                reason: scrubPersonalData(outcome.reason),
              },
            },
          };
        }
        const retryAt = new Date(
          now.getTime() + (outcome.retryAfterMs ?? retryDelayMs(department.config.delivery.retry, attempt)),
        );
        return {
          update: { ...base, status: DeliveryStatus.RetryWait, nextAttemptAt: retryAt },
          event: {
            type: 'DELIVERY_RETRY_SCHEDULED',
            detail: {
              department: department.config.code,
              attempt,
              reason: scrubPersonalData(outcome.reason),
              retryAt: retryAt.toISOString(),
            },
          },
        };
      }
    }
  }

  /** After an unknown outcome, ask before resending: the department may hold the case already. */
  private async confirmedByDepartment(work: DeliveryWork, adapter: DepartmentAdapter): Promise<boolean> {
    if (!adapter.checkStatus) return false;
    try {
      const report = await adapter.checkStatus({
        deliveryId: work.id,
        receiptRef: work.receiptRef ?? undefined,
        signal: AbortSignal.timeout(this.departments.get(work.department)!.config.delivery.timeoutMs),
      });
      if (!report) return false;
      const { applied, caseChange } = await this.store.transition(
        work,
        {
          status: DeliveryStatus.Delivered,
          lastOutcome: 'confirmed',
          lastError: null,
          ambiguous: false,
          nextAttemptAt: null,
          receiptRef: report.receipt?.reference ?? null,
          deliveredAt: new Date(),
        },
        {
          type: 'DELIVERY_CONFIRMED',
          detail: { department: work.department, reference: report.receipt?.reference ?? null },
        },
        [...OPEN_STATUSES],
      );
      if (caseChange) this.notifier.caseStatusChanged(work, caseChange);
      return applied;
    } catch (error) {
      this.logger.warn({
        msg: 'status check failed; resending with the same idempotency key',
        deliveryId: work.id,
        error: (error as Error).message,
      });
      return false;
    }
  }

  private async updateBreaker(department: DepartmentRuntime, outcome: DeliveryOutcome): Promise<void> {
    const snapshot = await department.breaker.record(outcome.kind === 'transient' ? 'failure' : 'success');
    this.metrics.circuit(department.config.code, snapshot.state);
    if (!snapshot.changed) return;
    const queue = this.queues.get(department.config.code);
    if (snapshot.state === CircuitState.Open) {
      this.logger.warn({
        msg: 'circuit opened: department queue paused',
        department: department.config.code,
        probeAt: new Date(snapshot.nextProbeAt).toISOString(),
      });
      await queue.pause();
    } else if (snapshot.state === CircuitState.Closed) {
      this.logger.log({ msg: 'circuit closed', department: department.config.code });
    }
  }

  /** Puts the job back for later without counting an attempt (BullMQ's manual delay). */
  private async delay(
    job: Job<DeliveryJobData>,
    token: string | undefined,
    until: number,
    why: string,
  ): Promise<never> {
    this.logger.debug({
      msg: 'delivery delayed',
      deliveryId: job.data.deliveryId,
      until: new Date(until).toISOString(),
      why,
    });
    await job.moveToDelayed(until, token);
    throw new DelayedError();
  }
}
