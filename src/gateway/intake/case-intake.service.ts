import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { PersonalDataCipher } from '../../common/crypto/personal-data-cipher';
import { uuidV7 } from '../../common/ids/uuid-v7';
import { maskIdNumber, maskName, maskPhone } from '../../common/masking';
import { ProblemException } from '../../common/problem/problem';
import { CaseStatus } from '../../lifecycle/case-status';
import { DeliveryStatus } from '../../lifecycle/delivery-status';
import type { CaseStore } from '../../persistence/case-store';
import type { OutboxStore } from '../../persistence/outbox-store';
import type { DeliveryQueues, QueuedDelivery } from '../../queue/delivery-queues';
import { GroupCommit } from '../../persistence/group-commit';
import type { CaseRouter } from '../../routing/case-router';
import type { ApiClient } from '../auth/api-client';
import type { CaseEventsPublisher } from '../events/case-events.publisher';
import type { CaseQueryService, CaseSummary } from '../cases/case-query.service';
import type { CaseDeadlines } from '../../insights/deadlines/case-deadlines';
import type { CaseValidator } from './case-validator';
import { stableStringify } from './stable-json';

export interface SubmitResult {
  /** false when an earlier identical submission already created the case. */
  created: boolean;
  summary: CaseSummary;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/** Validate → route → store (one transaction) → enqueue after commit → announce. */
export class CaseIntakeService {
  private readonly logger = new Logger(CaseIntakeService.name);
  private deadlines?: CaseDeadlines;
  /** Deliveries committed together are enqueued together (one addBulk). */
  private readonly enqueuer: GroupCommit<QueuedDelivery[], void>;
  /** Outbox entries of enqueued deliveries, deleted together in the background. */
  private readonly outboxCleaner: GroupCommit<string[], void>;

  constructor(
    private readonly validator: CaseValidator,
    private readonly router: CaseRouter,
    private readonly cipher: PersonalDataCipher,
    private readonly store: CaseStore,
    private readonly outbox: OutboxStore,
    private readonly queues: DeliveryQueues,
    private readonly query: CaseQueryService,
    private readonly events: CaseEventsPublisher,
  ) {
    this.enqueuer = new GroupCommit<QueuedDelivery[], void>(
      async (batches) => {
        await this.queues.enqueue(batches.flat());
        return batches.map(() => undefined);
      },
      { maxBatch: 200, maxInFlight: 2 },
    );
    this.outboxCleaner = new GroupCommit<string[], void>(
      async (batches) => {
        await this.outbox.removeDeliveries(batches.flat());
        return batches.map(() => undefined);
      },
      // Nobody waits for the clean-up: gathering 100 ms of it turns one DELETE (and one commit) per
      // intake batch into a few per second.
      { maxBatch: 500, maxInFlight: 1, lingerMs: 100 },
    );
  }

  /** Set once at start-up (src/insights/insights.parts.ts); without it, cases get no due time. */
  useDeadlines(deadlines: CaseDeadlines): void {
    this.deadlines = deadlines;
  }

  async submit(raw: unknown, client: ApiClient, idempotencyKey?: string): Promise<SubmitResult> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw ProblemException.invalid(
        [{ pointer: '', reason: 'the Idempotency-Key header must be 1–128 visible ASCII characters' }],
        'The Idempotency-Key header is not valid.',
      );
    }
    const { document, flags } = this.validator.validate(raw, client);
    const targets = this.router.route(document.serviceCode, document.region.code);
    if (targets.length === 0) throw ProblemException.unroutable(document.serviceCode, document.region.code);

    const canonicalJson = stableStringify(document);
    const requestHash = createHash('sha256').update(canonicalJson).digest('hex');
    const caseId = uuidV7();
    const payload = this.cipher.encrypt(canonicalJson);
    const deliveries = targets.map((t) => ({
      id: uuidV7(),
      department: t.department,
      mapping: t.mapping,
      status: DeliveryStatus.Pending,
    }));
    const { applicant } = document;
    const acceptedAt = new Date(document.acceptedAt);
    const result = await this.store.create({
      row: {
        id: caseId,
        source: document.source,
        externalId: document.externalId,
        schemaVersion: document.schemaVersion,
        serviceCode: document.serviceCode,
        status: CaseStatus.Submitted,
        regionCode: document.region.code,
        flags,
        applicantIdHash: this.cipher.lookupHash(applicant.idNumber),
        applicantMasked: JSON.stringify({
          name: maskName(applicant.name),
          idNumber: maskIdNumber(applicant.idNumber),
          ...(applicant.phone ? { phone: maskPhone(applicant.phone) } : {}),
        }),
        keyId: this.cipher.currentKeyId,
        payload,
        requestHash,
        acceptedAt,
        dueAt: this.deadlines?.dueAt(document.serviceCode, acceptedAt) ?? null,
      },
      idempotencyKey: idempotencyKey ?? `external:${document.externalId}`,
      deliveries,
      events: [
        { type: 'CASE_RECEIVED', detail: { channel: document.acceptedBy.channel, flags } },
        ...deliveries.map((d) => ({
          type: 'DELIVERY_ROUTED',
          deliveryId: d.id,
          detail: { department: d.department },
        })),
      ],
    });

    if (result.kind === 'existing') return this.existing(result.caseId, result.requestHash, requestHash);

    await this.enqueueAfterCommit(deliveries);
    this.events.statusChanged({
      caseId,
      externalId: document.externalId,
      source: document.source,
      serviceCode: document.serviceCode,
      status: CaseStatus.Submitted,
      previousStatus: null,
      at: new Date().toISOString(),
    });
    this.logger.log({
      msg: 'case accepted',
      caseId,
      serviceCode: document.serviceCode,
      deliveries: deliveries.length,
    });
    return {
      created: true,
      summary: {
        id: caseId,
        externalId: document.externalId,
        status: CaseStatus.Submitted,
        flags,
        deliveries: deliveries.map((d) => ({ id: d.id, department: d.department, status: d.status })),
      },
    };
  }

  /**
   * The case is committed already: a Redis failure here only delays it (the outbox relay retries).
   * The answer waits for the enqueue, not for the outbox clean-up: an entry left behind makes the
   * relay enqueue the delivery again, which BullMQ ignores (same job id).
   */
  private async enqueueAfterCommit(deliveries: Array<{ id: string; department: string }>): Promise<void> {
    try {
      await this.enqueuer.submit(deliveries);
    } catch (error) {
      this.logger.warn(
        `enqueue after commit failed, the outbox relay will retry: ${(error as Error).message}`,
      );
      return;
    }
    this.outboxCleaner
      .submit(deliveries.map((d) => d.id))
      .catch((error: unknown) =>
        this.logger.warn(`outbox clean-up failed, the relay will tidy up: ${(error as Error).message}`),
      );
  }

  private async existing(caseId: string, storedHash: string, requestHash: string): Promise<SubmitResult> {
    if (storedHash !== requestHash) {
      throw ProblemException.conflict(
        'A case was already submitted under this idempotency key (or external id) with a different body.',
        { caseId },
      );
    }
    const summary = await this.query.summary(caseId);
    if (!summary) throw new Error(`case ${caseId} vanished after an idempotency hit`);
    return { created: false, summary };
  }
}
