import http from 'node:http';
import https from 'node:https';
import { createEgressGuard, createHttpAgents, type HttpAgents } from '../adapters/network';
import { scrubPersonalData } from '../common/masking';

/** Enough of an answer to say why a platform refused; the rest is read and dropped. */
const EXCERPT_BYTES = 512;
/** A longer answer is cut off: a webhook reply carries nothing we need. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface WebhookCall {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** `host:port` patterns every connection must match (checked after DNS, see egress-guard). */
  allowedHosts: readonly string[];
  /** Whose connection pool this is, e.g. `webhook:demo-platform` (also named in egress refusals). */
  pool: string;
}

export interface WebhookAnswer {
  status: number;
  /** The start of the body, with ID numbers and phones masked. */
  excerpt: string;
  /** From `Retry-After` (seconds or an HTTP date), when given. */
  retryAfterMs?: number;
}

/**
 * POSTs webhooks over keep-alive agents whose every connection passes the egress guard. Redirects
 * are not followed (a 3xx is an answer like any other) and the response is capped.
 */
export class WebhookTransport {
  private readonly pools = new Map<string, HttpAgents>();

  /** Resolves with the HTTP answer of any status; rejects on network errors and timeouts. */
  post(call: WebhookCall): Promise<WebhookAnswer> {
    const target = new URL(call.url);
    const agents = this.agents(call.pool, call.allowedHosts);
    const secure = target.protocol === 'https:';
    const request = secure ? https.request : http.request;
    return new Promise<WebhookAnswer>((resolve, reject) => {
      const outgoing = request(
        target,
        {
          method: 'POST',
          agent: secure ? agents.https : agents.http,
          headers: { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) },
          signal: AbortSignal.timeout(call.timeoutMs),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          // The status decides; the body is only read for the excerpt, so however it ends we answer.
          const finish = () =>
            resolve({
              status: response.statusCode ?? 0,
              excerpt: scrubPersonalData(Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_BYTES)),
              retryAfterMs: parseRetryAfter(response.headers['retry-after']),
            });
          response.on('data', (chunk: Buffer) => {
            if (size < EXCERPT_BYTES) chunks.push(chunk);
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) response.destroy();
          });
          response.on('end', finish);
          response.on('close', finish);
          response.on('error', finish);
        },
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => reject(describe(error, call.timeoutMs)));
      outgoing.end(call.body);
    });
  }

  /** Closes pooled connections (at shutdown). */
  close(): void {
    for (const agents of this.pools.values()) agents.destroy();
    this.pools.clear();
  }

  private agents(pool: string, allowedHosts: readonly string[]): HttpAgents {
    const key = `${pool}|${allowedHosts.join(',')}`;
    let agents = this.pools.get(key);
    if (!agents) {
      agents = createHttpAgents({ egress: createEgressGuard(pool, allowedHosts), maxSockets: 8 });
      this.pools.set(key, agents);
    }
    return agents;
  }
}

function describe(error: NodeJS.ErrnoException, timeoutMs: number): Error {
  if (error.name === 'AbortError' || error.name === 'TimeoutError')
    return new Error(`no answer within ${timeoutMs} ms`);
  const code = error.code && !error.message.includes(error.code) ? `${error.code}: ` : '';
  return new Error(`${code}${error.message}`);
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
