/** What was exchanged on the wire in one attempt: hashed into the evidence chain, excerpted (masked) in the attempt log. */
export interface WireExchange {
  /** The exact bytes sent (request body, envelope or file content). */
  sent?: Buffer;
  /** The exact bytes received (response body or result file). */
  received?: Buffer;
  httpStatus?: number;
  /** SOAP fault code, e.g. `soap:Client.ValidationFailed`. */
  faultCode?: string;
}

export interface DepartmentReceipt {
  /** The department's reference number for the case (受理编号), when it returns one. */
  reference?: string;
  /** Other returned fields, already reverse-mapped where a receipt mapping exists. */
  fields?: Record<string, unknown>;
}

/**
 * The result of one delivery attempt. A department refusing a case is data, not an exception:
 * adapters return `permanent` with the department's reason; only bugs throw.
 */
export type DeliveryOutcome =
  | { kind: 'delivered'; receipt: DepartmentReceipt; exchange?: WireExchange }
  | {
      kind: 'transient';
      reason: string;
      /** A hint such as Retry-After; overrides the backoff when present. */
      retryAfterMs?: number;
      /** The department may have applied it (timeout, connection lost mid-call): ask checkStatus before resending. */
      ambiguous?: boolean;
      errorClass?: string;
      exchange?: WireExchange;
    }
  | { kind: 'permanent'; reason: string; errorClass?: string; exchange?: WireExchange }
  /** Accepted for later transmission (batched file, pull outbox): the result comes through collectResults or an ack. */
  | {
      kind: 'queued';
      /** `pickup`: the department has not got it yet (pull mode); it acknowledges later through the API. */
      awaiting?: 'results' | 'pickup';
      exchange?: WireExchange;
    };

export const delivered = (receipt: DepartmentReceipt = {}, exchange?: WireExchange): DeliveryOutcome => ({
  kind: 'delivered',
  receipt,
  exchange,
});

export const transient = (
  reason: string,
  extra: Omit<Extract<DeliveryOutcome, { kind: 'transient' }>, 'kind' | 'reason'> = {},
): DeliveryOutcome => ({ kind: 'transient', reason, ...extra });

export const permanent = (
  reason: string,
  extra: Omit<Extract<DeliveryOutcome, { kind: 'permanent' }>, 'kind' | 'reason'> = {},
): DeliveryOutcome => ({ kind: 'permanent', reason, ...extra });
