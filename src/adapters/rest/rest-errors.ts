/**
 * Failures the REST adapter raises internally; rest-outcome.ts turns every one of them into a
 * DeliveryOutcome. Anything else that escapes is a bug and is rethrown.
 */

/** No HTTP answer: connection failed, reset, timed out, aborted, or the answer was too large. */
export class TransportError extends Error {
  constructor(
    message: string,
    /** The whole request reached the socket, so the department may have applied it. */
    readonly requestSent: boolean,
    /** ECONNRESET, ECONNREFUSED, TIMEOUT, ABORTED, RESPONSE_TOO_LARGE… */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** The OAuth2 token endpoint gave no usable token; `status` is absent when it gave no HTTP answer. */
export class TokenError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TokenError';
  }
}

/** A redirect we will not follow: missing Location, other scheme, too many hops. */
export class RedirectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedirectError';
  }
}

/** The mapped message cannot be sent: not serializable, or larger than maxRequestBytes. */
export class MessageError extends Error {
  constructor(
    message: string,
    readonly errorClass: 'BAD_MESSAGE' | 'REQUEST_TOO_LARGE',
  ) {
    super(message);
    this.name = 'MessageError';
  }
}
