import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
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
 * connection at all), then node:http on the guarded keep-alive agents. Every status is an answer;
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

  /**
   * node:http on the guarded agents (axios costs ~6× the client CPU per call, and this runs for every
   * delivery); the answer is decoded (gzip, deflate, br) and capped at maxResponseBytes decoded.
   */
  private request(call: HttpCall): Promise<HttpAnswer> {
    const body = call.body ?? Buffer.alloc(0);
    if (body.length > this.limits.maxRequestBytes)
      return Promise.reject(
        new TransportError(
          `request body larger than maxRequestBytes (${this.limits.maxRequestBytes})`,
          false,
          'REQUEST_TOO_LARGE',
        ),
      );
    const https = call.url.protocol === 'https:';
    const headers: Record<string, string | number> = {
      accept: 'application/json, text/plain, */*',
      'accept-encoding': 'gzip, deflate, br',
      'user-agent': USER_AGENT,
      ...call.headers,
    };
    if (call.body !== undefined) headers['content-length'] = body.length;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const request = (https ? httpsRequest : httpRequest)(call.url, {
        method: call.method,
        headers,
        agent: https ? this.agents.https : this.agents.http,
        signal: call.signal,
      });
      const fail = (error: unknown) => {
        request.destroy();
        reject(new RequestFailure(error, request));
      };
      request.on('error', fail);
      request.on('response', (response) => {
        readBody(response, call.method, this.limits.maxResponseBytes).then((data) => {
          const answerHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            headers: answerHeaders,
            body: data,
            url: call.url,
          });
        }, fail);
      });
      request.end(call.body);
    });
  }

  private failure(error: unknown, signal: AbortSignal): Error {
    if (error instanceof TransportError) return error;
    const cause = error instanceof RequestFailure ? error.cause : error;
    const inner = cause instanceof EgressDeniedError ? cause : (cause as Error | undefined)?.cause;
    if (inner instanceof EgressDeniedError) return inner;
    const sent = requestOf(error)?.writableFinished === true;
    if (signal.aborted) {
      const timedOut = (signal.reason as Error | undefined)?.name === 'TimeoutError';
      const code = timedOut ? 'TIMEOUT' : 'ABORTED';
      return new TransportError(timedOut ? 'timed out' : 'aborted', sent, code, { cause });
    }
    if (cause instanceof ResponseTooLarge)
      return new TransportError(
        `answer larger than maxResponseBytes (${this.limits.maxResponseBytes})`,
        true,
        'RESPONSE_TOO_LARGE',
        { cause },
      );
    return new TransportError(describe(cause), sent, codeOf(cause), { cause });
  }
}

const USER_AGENT = 'Tongban';

/** A failed exchange, with the request it was on (was it sent? on a reused socket?). */
class RequestFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly request: ClientRequest,
  ) {
    super(describe(cause));
  }
}

class ResponseTooLarge extends Error {}

/** The decoded answer, up to `max` bytes (a larger one is cut off and refused). */
async function readBody(response: IncomingMessage, method: HttpMethod, max: number): Promise<Buffer> {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const empty = method === 'HEAD' || response.statusCode === 204 || response.statusCode === 304;
  const decoder = empty ? undefined : DECODERS[encoding]?.();
  const stream: Readable = decoder ? response.pipe(decoder) : response;
  if (decoder) response.on('error', (error) => decoder.destroy(error));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      response.destroy();
      throw new ResponseTooLarge();
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

const DECODERS: Record<string, (() => Transform) | undefined> = {
  gzip: () => createGunzip(),
  'x-gzip': () => createGunzip(),
  deflate: () => createInflate(),
  br: () => createBrotliDecompress(),
};

function requestOf(error: unknown): ClientRequest | undefined {
  return error instanceof RequestFailure ? error.request : undefined;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code ? code : 'NETWORK';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
