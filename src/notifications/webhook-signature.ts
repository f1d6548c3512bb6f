import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookAlgorithm = 'sha256' | 'sm3';

/** The headers of every webhook and notifier call (the contract platform developers code against). */
export const WebhookHeader = {
  /** `case.status_changed` or `resident.notice`. */
  Event: 'x-tongban-event',
  /** platform_events id: the same event retried keeps it, so the platform can drop repeats. */
  EventId: 'x-tongban-event-id',
  /** Unix seconds when this attempt was signed. */
  Timestamp: 'x-tongban-timestamp',
  /** `sha256=<hex>` or `sm3=<hex>`: HMAC(secret, "{timestamp}.{body}"). */
  Signature: 'x-tongban-signature',
} as const;

/** `sha256=<hex HMAC(secret, "{timestamp}.{body}")>`; `sm3=` with HMAC-SM3 (OpenSSL 3). */
export function webhookSignature(
  secret: string,
  algorithm: WebhookAlgorithm,
  timestamp: number | string,
  body: string | Buffer,
): string {
  const mac = createHmac(algorithm, secret).update(`${timestamp}.`).update(body).digest('hex');
  return `${algorithm}=${mac}`;
}

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

/** The body (payload plus `eventId`) and signed headers of one attempt. */
export function signWebhook(
  event: { id: string; type: string },
  payload: Record<string, unknown>,
  key: { secret: string; algorithm: WebhookAlgorithm },
  now = Date.now(),
): SignedWebhook {
  const body = JSON.stringify({ ...payload, eventId: event.id });
  const timestamp = Math.floor(now / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Tongban-Webhook/1',
      [WebhookHeader.Event]: event.type,
      [WebhookHeader.EventId]: event.id,
      [WebhookHeader.Timestamp]: String(timestamp),
      [WebhookHeader.Signature]: webhookSignature(key.secret, key.algorithm, timestamp, body),
    },
  };
}

export interface VerifyOptions {
  secret: string;
  /** Refuse signatures made with another algorithm (the one configured for this platform). */
  algorithm?: WebhookAlgorithm;
  /** The raw `X-Tongban-Signature` and `X-Tongban-Timestamp` header values. */
  signature: string | undefined;
  timestamp: string | undefined;
  /** The raw request body, exactly as received. */
  body: string | Buffer;
  /** Older or newer signatures are refused (replayed requests); default 300 s. */
  toleranceSeconds?: number;
  now?: number;
}

/** What a receiving platform does: recompute the HMAC over the raw body and compare in constant time. */
export function verifyWebhookSignature(options: VerifyOptions): boolean {
  const { signature, timestamp } = options;
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const age = Math.abs((options.now ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (options.toleranceSeconds ?? 300)) return false;
  const algorithm = signature.slice(0, signature.indexOf('='));
  if (algorithm !== 'sha256' && algorithm !== 'sm3') return false;
  if (options.algorithm && algorithm !== options.algorithm) return false;
  const expected = Buffer.from(webhookSignature(options.secret, algorithm, timestamp, options.body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
