import { createHash, createHmac } from 'node:crypto';
import type { HmacAuthOptions } from './rest-auth.options';

export interface SignedRequest {
  method: string;
  url: URL;
  /** The exact body bytes (empty for GET/HEAD). */
  body: Buffer;
}

/** The signed string: the template with its placeholders filled in (see HmacAuthOptions). */
export function stringToSign(options: HmacAuthOptions, request: SignedRequest, timestamp: number): string {
  const values: Record<string, string> = {
    timestamp: String(timestamp),
    method: request.method.toUpperCase(),
    path: request.url.pathname + request.url.search,
    bodyHash: createHash(options.bodyHashAlgorithm).update(request.body).digest('hex'),
    keyId: options.keyId,
  };
  return options.stringToSign.replace(/\{(\w+)\}/g, (match, name: string) => values[name] ?? match);
}

/** Headers of one HMAC-signed request; `nowMs` is injectable so tests can pin the clock. */
export function hmacHeaders(
  options: HmacAuthOptions,
  request: SignedRequest,
  nowMs: number,
): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  const signature = createHmac(options.algorithm, options.secret)
    .update(stringToSign(options, request, timestamp), 'utf8')
    .digest(options.encoding);
  return {
    [options.headers.keyId]: options.keyId,
    [options.headers.timestamp]: String(timestamp),
    [options.headers.signature]: signature,
  };
}
