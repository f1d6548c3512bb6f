import type { CaseStatus } from '../lifecycle/case-status';
import type { DeliveryStatus } from '../lifecycle/delivery-status';
import type { ReportedStatus } from '../lifecycle/delivery-transitions';

/** A delivery with what the engine needs of its case. */
export interface DeliveryWork {
  id: string;
  caseId: string;
  department: string;
  mapping: string | null;
  status: DeliveryStatus;
  attempts: number;
  ambiguous: boolean;
  receiptRef: string | null;
  nextAttemptAt: Date | null;
  casePayload: string;
  externalId: string;
  source: string;
  serviceCode: string;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  outcome: string;
  errorClass?: string;
  httpStatus?: number;
  faultCode?: string;
  reason?: string;
  excerpt?: string;
  sentHash: string | null;
  receivedHash: string | null;
}

export interface DeliveryUpdate {
  status: DeliveryStatus;
  lastOutcome?: string;
  lastError?: string | null;
  nextAttemptAt?: Date | null;
  ambiguous?: boolean;
  receiptRef?: string | null;
  deliveredAt?: Date;
  departmentStatus?: string | null;
  remark?: string | null;
  nextPollAt?: Date | null;
}

/** A department's word on one delivery (callback, status poll, result file), already reverse-mapped. */
export interface StatusReport {
  status: ReportedStatus;
  /** How it arrived: `callback`, `poll`, `result-file`, `pull-ack`. */
  via: string;
  reference?: string;
  remark?: string;
  /** The department's own status text, before mapping. */
  departmentStatus?: string;
  finishedAt?: string;
}

export type ReportResult =
  | { kind: 'applied'; from: DeliveryStatus; to: DeliveryStatus; caseChange?: CaseStatusChange }
  | { kind: 'duplicate'; status: DeliveryStatus }
  | { kind: 'illegal'; from: DeliveryStatus; reason: string };

export interface CaseEventInput {
  type: string;
  detail?: Record<string, unknown>;
}

export interface CaseStatusChange {
  caseId: string;
  from: CaseStatus;
  to: CaseStatus;
}
