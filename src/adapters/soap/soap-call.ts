import type { IncomingHttpHeaders } from 'node:http';
import type { IHeaders } from 'soap';
import type { WireExchange } from '../sdk/delivery-outcome';

/** errorClass values the SOAP adapter reports. */
export const SoapErrorClass = {
  /** A SOAP Fault from the department, classified by the fault rules. */
  FAULT: 'SOAP_FAULT',
  /** A receipt with a non-success resultCode. */
  REJECTED: 'REJECTED',
  /** Hostile, oversized, too deep, undecodable or unparseable response: retried, alerts fire. */
  BAD_RESPONSE: 'BAD_RESPONSE',
  HTTP_STATUS: 'HTTP_STATUS',
  CONNECTION: 'CONNECTION',
  TIMEOUT: 'TIMEOUT',
  EGRESS_DENIED: 'EGRESS_DENIED',
  /** node-soap could not serialize the mapped message against the WSDL. */
  REQUEST: 'BAD_REQUEST',
} as const;

export type SoapErrorClassName = (typeof SoapErrorClass)[keyof typeof SoapErrorClass];

/**
 * A call that ended without a SOAP answer worth parsing (transport error, refused response). The
 * transport hands it to node-soap's httpClient callback; the adapter turns it into an outcome.
 */
export class SoapCallFailure extends Error {
  constructor(
    message: string,
    readonly kind: 'transient' | 'permanent',
    readonly errorClass: SoapErrorClassName,
    readonly extra: { ambiguous?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'SoapCallFailure';
  }
}

/** A response that passed the transport's checks, decoded: what node-soap's parser reads. */
export interface SoapHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  data: string;
}

/**
 * One attempt's state, passed to the transport through node-soap's per-call options: the abort
 * signal in, the exact bytes and HTTP status out.
 */
export class SoapCall {
  sent?: Buffer;
  received?: Buffer;
  httpStatus?: number;
  faultCode?: string;
  /** Build the envelope, send nothing (mapping previews). */
  dryRun = false;
  /** The HTTP headers node-soap asked the transport to send (recorded in dry runs too). */
  headers?: IHeaders;
  /** Set when the fast path already has the answer: node-soap reads it instead of sending again. */
  replay?: SoapHttpResponse;
  /** Set by the adapter: lets the transport end the call if node-soap throws instead of calling back. */
  fail: (error: unknown) => void = () => undefined;

  constructor(readonly signal: AbortSignal) {}

  exchange(): WireExchange {
    return {
      sent: this.sent,
      received: this.received,
      httpStatus: this.httpStatus,
      faultCode: this.faultCode,
    };
  }
}

/** The key under which the SoapCall travels in node-soap's `options` argument. */
export const SOAP_CALL_OPTION = 'tongbanSoapCall';
