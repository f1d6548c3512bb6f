import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CallbackAuthConfig } from '../../config/model/tracking-config';

/** What a callback request presents to prove it comes from its department. */
export interface CallbackCredentials {
  /** The exact bytes received. */
  body: Buffer;
  /** A request header by name, any case. */
  header(name: string): string | undefined;
  /** The TLS client certificate, when the request came over TLS. */
  clientCertificate?: { authorized: boolean; fingerprint256?: string };
}

export type CallbackVerdict = { ok: true } | { ok: false; reason: string };

const DEFAULTS = {
  header: 'X-Signature',
  algorithm: 'sha256',
  signed: 'body',
  timestampHeader: 'X-Timestamp',
  replayWindowSeconds: 300,
  encoding: 'hex',
} as const;

/**
 * Checks a callback against its department's configured scheme: an HMAC over the raw body (or
 * `{timestamp}\n{body}` within a replay window), or a client certificate from the allowed list.
 * Signatures are compared in constant time; the reason is for the log and the 401 detail.
 */
export function verifyCallback(
  auth: CallbackAuthConfig,
  presented: CallbackCredentials,
  nowMs: number,
): CallbackVerdict {
  return auth.type === 'mtls' ? verifyClientCertificate(auth, presented) : verifyHmac(auth, presented, nowMs);
}

function verifyHmac(
  auth: CallbackAuthConfig,
  presented: CallbackCredentials,
  nowMs: number,
): CallbackVerdict {
  const headerName = auth.header ?? DEFAULTS.header;
  const signature = presented.header(headerName);
  if (!signature) return refuse(`the ${headerName} header is missing`);
  let content = presented.body;
  let timestamp: string | undefined;
  if ((auth.signed ?? DEFAULTS.signed) === 'timestamp+body') {
    const timestampHeader = auth.timestampHeader ?? DEFAULTS.timestampHeader;
    timestamp = presented.header(timestampHeader);
    if (!timestamp) return refuse(`the ${timestampHeader} header is missing`);
    content = Buffer.concat([Buffer.from(`${timestamp}\n`, 'utf8'), presented.body]);
  }
  const expected = createHmac(auth.algorithm ?? DEFAULTS.algorithm, auth.secret ?? '')
    .update(content)
    .digest();
  const given = decodeSignature(signature, auth);
  // timingSafeEqual needs equal lengths; a digest's length is no secret.
  if (!given || given.length !== expected.length || !timingSafeEqual(given, expected))
    return refuse('the signature does not match');
  if (timestamp !== undefined) {
    const window = auth.replayWindowSeconds ?? DEFAULTS.replayWindowSeconds;
    const at = timestampMs(timestamp);
    if (at === undefined) return refuse('the timestamp is not Unix seconds or milliseconds');
    if (Math.abs(nowMs - at) > window * 1000)
      return refuse(`the timestamp is outside the ±${window} s replay window`);
  }
  return { ok: true };
}

/** The signature bytes, or undefined when the header is not in the configured form. */
export function decodeSignature(
  value: string,
  auth: Pick<CallbackAuthConfig, 'prefix' | 'encoding'>,
): Buffer | undefined {
  let text = value.trim();
  if (auth.prefix) {
    if (text.slice(0, auth.prefix.length).toLowerCase() !== auth.prefix.toLowerCase()) return undefined;
    text = text.slice(auth.prefix.length);
  }
  if ((auth.encoding ?? DEFAULTS.encoding) === 'hex') {
    return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
  }
  // Standard or URL-safe alphabet, padded or not (Node decodes both).
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Unix seconds (10 digits today) or milliseconds (13 digits) → epoch ms. */
function timestampMs(text: string): number | undefined {
  if (!/^\d{1,13}$/.test(text)) return undefined;
  const value = Number(text);
  return text.length > 11 ? value : value * 1000;
}

function verifyClientCertificate(auth: CallbackAuthConfig, presented: CallbackCredentials): CallbackVerdict {
  const certificate = presented.clientCertificate;
  if (!certificate?.fingerprint256) return refuse('a client certificate is required');
  if (!certificate.authorized) return refuse('the client certificate is not issued by a trusted CA');
  const fingerprint = normalizeFingerprint(certificate.fingerprint256);
  const allowed = (auth.certificateFingerprints ?? []).map(normalizeFingerprint);
  return allowed.includes(fingerprint)
    ? { ok: true }
    : refuse("the client certificate is not one of this department's");
}

/** `AB:CD:…` or `abcd…` → `abcd…`. */
export function normalizeFingerprint(value: string): string {
  return value.replace(/[:\s]/g, '').toLowerCase();
}

function refuse(reason: string): CallbackVerdict {
  return { ok: false, reason };
}
