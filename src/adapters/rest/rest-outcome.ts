import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import {
  delivered,
  permanent,
  transient,
  type DeliveryOutcome,
  type DepartmentReceipt,
  type WireExchange,
} from '../sdk/delivery-outcome';
import { EgressDeniedError } from '../sdk/egress-guard';
import type { RestReceiptOptions } from './rest-adapter.options';
import { MessageError, RedirectError, TokenError, TransportError } from './rest-errors';
import type { HttpAnswer } from './rest-transport';
import { readText } from './read-field';

/**
 * The one place where REST answers and failures become DeliveryOutcomes:
 * 2xx delivered (unparseable body: transient BAD_RESPONSE, ambiguous); 408/429/5xx transient
 * (Retry-After honoured, 504 ambiguous); 401/403 permanent AUTH; other 4xx permanent with the
 * department's own message; 3xx not followed permanent; no answer after the request was sent
 * transient ambiguous; egress refusal permanent.
 */
export interface OutcomeContext {
  /** The exact bytes sent, for the evidence chain. */
  sent?: Buffer;
  bodyFormat: 'json' | 'xml';
  receipt: RestReceiptOptions;
  /** Epoch ms, for Retry-After dates. */
  now: number;
}

const MAX_REASON = 300;
const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

export type ParsedBody = { ok: true; value: unknown } | { ok: false; problem: string };

/** The body as text, in the charset the department declares (GBK still shows up); UTF-8 otherwise. */
export function decodeText(answer: HttpAnswer): string {
  const charset = /charset="?([\w-]+)/i.exec(answer.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8' && iconv.encodingExists(charset))
    return iconv.decode(answer.body, charset);
  return answer.body.toString('utf8');
}

/** Parses an answer body as the configured format; an empty body parses to undefined. */
export function parseBody(answer: HttpAnswer, format: 'json' | 'xml'): ParsedBody {
  const text = decodeText(answer).replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: true, value: undefined };
  // Sniffed, not taken from Content-Type: legacy systems often label JSON as text/html.
  if (/^\s*<(!doctype\s+html|html)[\s>]/i.test(text)) return { ok: false, problem: 'an HTML page' };
  if (format === 'xml') {
    if (XMLValidator.validate(text) !== true) return { ok: false, problem: 'invalid XML' };
    return { ok: true, value: xml.parse(text) as unknown };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: 'invalid JSON' };
  }
}

/** "HTTP 400: invalid_request: applicant_name is required" — the department's words, never the whole body. */
export function departmentReason(answer: HttpAnswer): string {
  const head = `HTTP ${answer.status}`;
  const parsed = parseBody(answer, 'json');
  const body = parsed.ok && parsed.value && typeof parsed.value === 'object' ? parsed.value : undefined;
  const pick = (...names: string[]) =>
    names.map((name) => readText(body, name)).find((value) => value !== undefined && value.trim() !== '');
  const message = pick(
    'message',
    'error_description',
    'errorMessage',
    'detail',
    'msg',
    'error.message',
    'title',
  );
  const code = pick('error', 'code', 'errorCode');
  const words = code && message && code !== message ? `${code}: ${message}` : (message ?? code);
  const text = words ?? answer.statusText;
  return text ? `${head}: ${oneLine(text)}` : head;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON)}…` : flat;
}

/** Retry-After as milliseconds from now: delay-seconds or an HTTP date; undefined when absent or invalid. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Reference and fields of a parsed 2xx answer. */
export function receiptOf(value: unknown, options: RestReceiptOptions): DepartmentReceipt {
  if (value === undefined) return {};
  const fields =
    value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { body: value };
  return { reference: readText(value, options.reference), fields };
}

export function classifyAnswer(answer: HttpAnswer, context: OutcomeContext): DeliveryOutcome {
  const exchange: WireExchange = { sent: context.sent, received: answer.body, httpStatus: answer.status };
  const { status } = answer;
  if (status >= 200 && status <= 299) {
    const parsed = parseBody(answer, context.bodyFormat);
    if (!parsed.ok)
      // Most likely applied (2xx), so ambiguous: the engine asks checkStatus before resending.
      return transient(`HTTP ${status} with ${parsed.problem} in the body`, {
        errorClass: 'BAD_RESPONSE',
        ambiguous: true,
        exchange,
      });
    return delivered(receiptOf(parsed.value, context.receipt), exchange);
  }
  if (status >= 300 && status <= 399) {
    const location = answer.headers.location ?? '(no Location)';
    return permanent(
      `HTTP ${status} redirect to ${location} not followed (followRedirects or maxRedirects)`,
      {
        errorClass: 'REDIRECT',
        exchange,
      },
    );
  }
  if (status === 408 || status === 429 || status >= 500) {
    return transient(departmentReason(answer), {
      errorClass: `HTTP_${status}`,
      retryAfterMs: retryAfterMs(answer.headers['retry-after'], context.now),
      // A gateway timeout: the department behind the proxy may well have applied it.
      ambiguous: status === 504 ? true : undefined,
      exchange,
    });
  }
  if (status === 401 || status === 403)
    return permanent(departmentReason(answer), { errorClass: 'AUTH', exchange });
  if (status >= 400 && status <= 499)
    return permanent(departmentReason(answer), { errorClass: `HTTP_${status}`, exchange });
  return transient(`unexpected HTTP status ${status}`, { errorClass: 'BAD_RESPONSE', exchange });
}

/** Failures without a usable answer. Unknown errors are bugs and are rethrown. */
export function classifyFailure(error: unknown, context: Pick<OutcomeContext, 'sent'>): DeliveryOutcome {
  const exchange: WireExchange | undefined = context.sent ? { sent: context.sent } : undefined;
  const denied = findCause(error, EgressDeniedError);
  if (denied)
    return permanent(`${denied.message} (check network.allowedHosts)`, {
      errorClass: 'EGRESS_DENIED',
      exchange,
    });
  if (error instanceof MessageError) return permanent(error.message, { errorClass: error.errorClass });
  if (error instanceof RedirectError) return permanent(error.message, { errorClass: 'REDIRECT', exchange });
  if (error instanceof TokenError) {
    const status = error.status;
    const retryable =
      status === undefined ||
      status === 408 ||
      status === 429 ||
      status >= 500 ||
      (status >= 200 && status <= 299);
    // The case itself was not sent: never ambiguous.
    return retryable
      ? transient(`OAuth2 token unavailable: ${error.message}`, { errorClass: 'AUTH_TOKEN' })
      : permanent(`OAuth2 token refused: ${error.message}`, { errorClass: 'AUTH' });
  }
  if (error instanceof TransportError) {
    if (error.code === 'RESPONSE_TOO_LARGE')
      return transient(error.message, { errorClass: 'RESPONSE_TOO_LARGE', ambiguous: true, exchange });
    const errorClass = error.code === 'TIMEOUT' || error.code === 'ABORTED' ? error.code : 'NETWORK';
    if (error.requestSent)
      return transient(`no answer after the request was sent (${error.code}): ${error.message}`, {
        errorClass,
        ambiguous: true,
        exchange,
      });
    return transient(`request not sent (${error.code}): ${error.message}`, { errorClass, exchange });
  }
  throw error;
}

function findCause<T extends Error>(
  error: unknown,
  type: abstract new (...args: never[]) => T,
): T | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof type) return current;
    current = current.cause;
  }
  return undefined;
}
