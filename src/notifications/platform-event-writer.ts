import { Inject, Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { CaseStatus } from '../lifecycle/case-status';
import type { Statement } from '../persistence/sql-packets';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { RUNTIME } from '../runtime/tokens';

export const PlatformEventType = {
  /** A webhook to the submitting platform. */
  CaseStatusChanged: 'case.status_changed',
  /** A text message to the resident on a final result; the phone is read from the encrypted case when sent. */
  ResidentNotice: 'resident.notice',
} as const;

export const PlatformEventStatus = {
  Pending: 'PENDING',
  Sent: 'SENT',
  DeadLettered: 'DEAD_LETTERED',
} as const;

/** A committed case status change, with what a platform needs to act on it (no personal data). */
export interface CaseStatusChangedPayload {
  event: typeof PlatformEventType.CaseStatusChanged;
  caseId: string;
  externalId: string;
  source: string;
  serviceCode: string;
  status: CaseStatus;
  previousStatus: CaseStatus;
  at: string;
  deliveries: Array<{
    id: string;
    department: string;
    status: string;
    reference: string | null;
    remark: string | null;
  }>;
}

/**
 * Writes platform events inside the transaction that changes a case's status: a webhook row for
 * platforms with a webhook, a resident notice when a case completes and its platform wants one.
 */
@Injectable()
export class PlatformEventWriter {
  private readonly webhookSources: ReadonlySet<string>;
  private readonly noticeSources: ReadonlySet<string>;

  constructor(@Inject(RUNTIME) runtime: Pick<GatewayRuntime, 'config'>) {
    const platforms = [...runtime.config.platforms.values()];
    this.webhookSources = new Set(platforms.filter((p) => p.webhook).map((p) => p.source));
    this.noticeSources = new Set(platforms.filter((p) => p.residentNotifier !== 'none').map((p) => p.source));
  }

  async caseStatusChanged(runner: QueryRunner, payload: CaseStatusChangedPayload, now: Date): Promise<void> {
    for (const { sql, params } of this.statements(payload, now)) await runner.query(sql, params);
  }

  /** The INSERT for a case status change (none when no platform wants to hear of it). */
  statements(payload: CaseStatusChangedPayload, now: Date): Statement[] {
    const rows: Array<[string, string]> = [];
    if (this.webhookSources.has(payload.source))
      rows.push([PlatformEventType.CaseStatusChanged, JSON.stringify(payload)]);
    if (payload.status === CaseStatus.Completed && this.noticeSources.has(payload.source)) {
      const notice = {
        event: PlatformEventType.ResidentNotice,
        caseId: payload.caseId,
        serviceCode: payload.serviceCode,
        status: payload.status,
        results: payload.deliveries.map((d) => ({ department: d.department, status: d.status })),
        at: payload.at,
      };
      rows.push([PlatformEventType.ResidentNotice, JSON.stringify(notice)]);
    }
    if (rows.length === 0) return [];
    return [
      {
        sql: `INSERT INTO platform_events (case_id, source, type, payload, status, attempts, next_attempt_at, created_at)
          VALUES ${rows.map(() => '(?, ?, ?, ?, ?, 0, ?, ?)').join(', ')}`,
        params: rows.flatMap(([type, body]) => [
          payload.caseId,
          payload.source,
          type,
          body,
          PlatformEventStatus.Pending,
          now,
          now,
        ]),
      },
    ];
  }
}
