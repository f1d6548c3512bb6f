import type { DeliveryOutcome, DepartmentReceipt } from './delivery-outcome';

/** One message to deliver: the mapping's output for one delivery of a case. */
export interface DeliveryRequest {
  /** Stable across retries and replays: the idempotency key sent to the department. */
  deliveryId: string;
  caseId: string;
  department: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The mapped message: an object tree for SOAP, a JSON value for REST, a record (or records) for files. */
  message: unknown;
  /** Aborted when the department's timeout passes or the worker shuts down. */
  signal: AbortSignal;
}

/** A department status as reported by checkStatus, a callback or a result file, before reverse mapping. */
export interface DepartmentStatusReport {
  deliveryId: string;
  /** Canonical status: ACCEPTED, PROCESSING, APPROVED, REJECTED… (mapped by the reverse mapping). */
  status: string;
  receipt?: DepartmentReceipt;
  remark?: string;
  finishedAt?: string;
  /** RESEND: the department asks for the record again (file-drop results). */
  resend?: boolean;
}

export interface RenderedMessage {
  contentType: string;
  /** The bytes decoded as text (in the target encoding). */
  text: string;
  /** The exact bytes, base64. */
  base64: string;
}

export interface AdapterHealth {
  ok: boolean;
  detail?: string;
}

/**
 * The contract every department adapter fulfils. Adapters do I/O only: mapping happens before
 * deliver, state changes after it, both in the delivery engine.
 */
export interface DepartmentAdapter {
  deliver(request: DeliveryRequest): Promise<DeliveryOutcome>;
  /** Asks the department whether it holds this delivery (by idempotency key); undefined = unknown to it. */
  checkStatus?(query: {
    deliveryId: string;
    receiptRef?: string;
    signal: AbortSignal;
  }): Promise<DepartmentStatusReport | undefined>;
  /** Picks up results the department produced (result files, a results API). */
  collectResults?(signal: AbortSignal): Promise<DepartmentStatusReport[]>;
  /**
   * The exact bytes deliver would send for this message, without sending anything (mapping previews:
   * a SOAP envelope, an encoded file). Optional: JSON transports show the mapped message itself.
   */
  render?(request: { deliveryId: string; message: unknown }): Promise<RenderedMessage>;
  /** A cheap probe used by the circuit breaker after its cool-down. */
  healthCheck(signal: AbortSignal): Promise<AdapterHealth>;
  close(): Promise<void>;
}
