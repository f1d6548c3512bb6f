import axios, { type AxiosResponse } from 'axios';
import type { ClientRequest } from 'node:http';
import type { HttpAgents } from '../network/http-agents';
import { EgressDeniedError, type EgressGuard } from '../sdk/egress-guard';
import { TransportError } from './rest-errors';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT';

export interface HttpCall {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  signal: AbortSignal;
}

/** One HTTP answer with the exact body bytes (after content decoding). Header names lower case. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Buffer;
  url: URL;
}

export interface TransportLimits {
  maxResponseBytes: number;
  maxRequestBytes: number;
}

/**
 * One HTTP exchange, no redirects, no auth: the egress check first (so a refused host sees no
 * connection at all), then axios on the guarded keep-alive agents. Every status is an answer;
 * only a missing answer throws (TransportError, or EgressDeniedError).
 */
export class RestTransport {
  constructor(
    private readonly agents: HttpAgents,
    private readonly egress: EgressGuard,
    private readonly limits: TransportLimits,
  ) {}

  async send(call: HttpCall): Promise<HttpAnswer> {
    const port = Number(call.url.port) || (call.url.protocol === 'https:' ? 443 : 80);
    try {
      await this.egress.assertAllowed(call.url.hostname, port);
    } catch (error) {
      if (error instanceof EgressDeniedError) throw error;
      throw new TransportError(
        `cannot resolve ${call.url.hostname}: ${describe(error)}`,
        false,
        codeOf(error),
        {
          cause: error,
        },
      );
    }
    try {
      return await this.request(call);
    } catch (error) {
      // A pooled socket the server had just closed: it never read the request, so one resend is safe.
      if (requestOf(error)?.reusedSocket && codeOf(error) === 'ECONNRESET' && !call.signal.aborted)
        return this.request(call).catch((again: unknown) => {
          throw this.failure(again, call.signal);
        });
      throw this.failure(error, call.signal);
    }
  }

  private async request(call: HttpCall): Promise<HttpAnswer> {
    const response: AxiosResponse<Buffer> = await axios.request<Buffer>({
      url: call.url.toString(),
      method: call.method,
      headers: call.headers,
      data: call.body,
      signal: call.signal,
      adapter: 'http',
      httpAgent: this.agents.http,
      httpsAgent: this.agents.https,
      // Never an environment proxy: it would bypass the egress guard.
      proxy: false,
      maxRedirects: 0,
      maxContentLength: this.limits.maxResponseBytes,
      maxBodyLength: this.limits.maxRequestBytes,
      responseType: 'arraybuffer',
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number') headers[name.toLowerCase()] = String(value);
      else if (Array.isArray(value)) headers[name.toLowerCase()] = value.join(', ');
    }
    return {
      status: response.status,
      statusText: response.statusText ?? '',
      headers,
      body: Buffer.isBuffer(response.data) ? response.data : Buffer.alloc(0),
      url: call.url,
    };
  }

  private failure(error: unknown, signal: AbortSignal): Error {
    const inner =
      error instanceof Error && error.cause instanceof EgressDeniedError ? error.cause : undefined;
    if (inner) return inner;
    const sent = requestOf(error)?.writableFinished === true;
    if (axios.isCancel(error) || signal.aborted) {
      const timedOut = (signal.reason as Error | undefined)?.name === 'TimeoutError';
      const code = timedOut ? 'TIMEOUT' : 'ABORTED';
      return new TransportError(timedOut ? 'timed out' : 'aborted', sent, code, { cause: error });
    }
    const message = describe(error);
    if (/maxContentLength size of \d+ exceeded/.test(message))
      return new TransportError(
        `answer larger than maxResponseBytes (${this.limits.maxResponseBytes})`,
        true,
        'RESPONSE_TOO_LARGE',
        { cause: error },
      );
    return new TransportError(message, sent, codeOf(error), { cause: error });
  }
}

function requestOf(error: unknown): ClientRequest | undefined {
  if (!axios.isAxiosError(error)) return undefined;
  const request: unknown = error.request;
  return request && typeof request === 'object' && 'writableFinished' in request
    ? (request as ClientRequest)
    : undefined;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code ? code : 'NETWORK';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
