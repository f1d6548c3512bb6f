import * as http from 'node:http';
import * as https from 'node:https';
import type { AxiosPromise } from 'axios';
import type { IExOptions, IHeaders, IHttpClient } from 'soap';
import { createHttpAgents, type HttpAgents } from '../network/http-agents';
import type { ProxySettings } from '../network/proxy-tunnel';
import { EgressDeniedError, type EgressGuard } from '../sdk/egress-guard';
import {
  SOAP_CALL_OPTION,
  SoapCall,
  SoapCallFailure,
  SoapErrorClass,
  type SoapHttpResponse,
} from './soap-call';
import { decodeXml } from './xml-charset';
import { findXmlHazard, looksLikeSoapEnvelope, startsLikeXml } from './xml-safety';

export interface SoapTransportOptions {
  egress: EgressGuard;
  maxResponseBytes: number;
  maxDepth: number;
  maxSockets: number;
  idleSocketTimeoutMs: number;
  allowRemoteWsdl: boolean;
  responseEncoding?: string;
  tls?: https.AgentOptions;
  proxy?: ProxySettings;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type { SoapHttpResponse } from './soap-call';

const TRANSIENT_4XX = new Set([408, 425, 429]);

/**
 * A non-SOAP HTTP answer: 5xx, 408/425/429 and redirects (maintenance pages behind a load balancer)
 * are retried; any other 4xx (wrong path, gateway credentials) needs a person, so it is permanent.
 */

function retryAfterMs(headers: http.IncomingHttpHeaders): number | undefined {
  const value = headers['retry-after'];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function statusFailure(status: number, headers: http.IncomingHttpHeaders): SoapCallFailure {
  const transient = status >= 500 || status < 400 || TRANSIENT_4XX.has(status);
  return new SoapCallFailure(
    `HTTP ${status} without a SOAP envelope`,
    transient ? 'transient' : 'permanent',
    SoapErrorClass.HTTP_STATUS,
    {
      retryAfterMs: transient ? retryAfterMs(headers) : undefined,
    },
  );
}

const badResponse = (reason: string): SoapCallFailure =>
  new SoapCallFailure(reason, 'transient', SoapErrorClass.BAD_RESPONSE);

/**
 * node-soap's `httpClient` (its supported transport hook): keep-alive agents checked by the egress
 * guard, response bytes read under a hard cap, decoded by charset and screened for DOCTYPE and depth
 * before node-soap's parser sees them. Failures reach node-soap as SoapCallFailure errors.
 */
export class SoapHttpTransport implements IHttpClient {
  private readonly agents: HttpAgents;

  constructor(private readonly options: SoapTransportOptions) {
    // The agents check every new connection against the egress guard (and tunnel through the proxy).
    this.agents = createHttpAgents({
      egress: options.egress,
      maxSockets: options.maxSockets,
      timeout: options.idleSocketTimeoutMs,
      tlsOptions: options.tls,
      proxy: options.proxy,
    });
  }

  request(
    rurl: string,
    data: unknown,
    callback: (error: unknown, res?: SoapHttpResponse, body?: string) => unknown,
    exheaders?: IHeaders,
    exoptions?: IExOptions,
  ): AxiosPromise {
    const call = exoptions?.[SOAP_CALL_OPTION] instanceof SoapCall ? exoptions[SOAP_CALL_OPTION] : undefined;
    // A fast-path answer node-soap is to read: the request already went out, with the bytes in call.sent.
    const response = call?.replay
      ? Promise.resolve(call.replay)
      : this.exchange(rurl, typeof data === 'string' ? data : undefined, exheaders ?? {}, call);
    const done = response.then(
      (response) => callback(null, response, response.data),
      (error: unknown) => callback(error),
    );
    // node-soap ignores the returned promise; a throw inside its parsing must still end the call.
    const guarded = done.catch((error: unknown) =>
      call?.fail(badResponse(`response handling failed: ${String(error)}`)),
    );
    return guarded as unknown as AxiosPromise;
  }

  /** POSTs a ready envelope (the fast path) with the same checks as node-soap's calls. */
  post(url: string, envelope: string, headers: IHeaders, call: SoapCall): Promise<SoapHttpResponse> {
    return this.exchange(url, envelope, headers, call);
  }

  /** A GET on the endpoint for health checks: the status, or the failure. */
  async probe(url: string, signal: AbortSignal): Promise<number> {
    const call = new SoapCall(signal);
    try {
      await this.send(new URL(url), undefined, {}, call, 64 * 1024);
    } catch (error) {
      if (call.httpStatus === undefined) throw error;
    }
    return call.httpStatus ?? 0;
  }

  close(): void {
    this.agents.destroy();
  }

  private async exchange(
    rurl: string,
    data: string | undefined,
    headers: IHeaders,
    call: SoapCall | undefined,
  ): Promise<SoapHttpResponse> {
    const url = new URL(rurl);
    // node-soap fetches remote WSDLs and imports through this client too: only when allowed.
    if (data === undefined && !this.options.allowRemoteWsdl)
      throw new Error(`remote WSDL ${url.origin}${url.pathname} refused: allowRemoteWsdl is false`);
    const body = data === undefined ? undefined : Buffer.from(data, 'utf8');
    const target = call ?? new SoapCall(AbortSignal.timeout(30_000));
    target.sent = body;
    target.headers = headers;
    if (target.dryRun)
      throw new SoapCallFailure('dry run: nothing sent', 'permanent', SoapErrorClass.REQUEST);
    const raw = await this.send(url, body, headers, target, this.options.maxResponseBytes);
    return this.interpret(raw);
  }

  private interpret(raw: RawResponse): SoapHttpResponse {
    const decoded = decodeXml(raw.body, raw.headers['content-type'], this.options.responseEncoding);
    const isError = raw.status >= 300;
    if (!decoded.ok) throw isError ? statusFailure(raw.status, raw.headers) : badResponse(decoded.reason);
    const text = decoded.text;
    const hazard = findXmlHazard(text, this.options.maxDepth);
    if (hazard) throw badResponse(hazard);
    if (isError && !looksLikeSoapEnvelope(text)) throw statusFailure(raw.status, raw.headers);
    if (!startsLikeXml(text)) throw badResponse(`HTTP ${raw.status} response is not XML`);
    return { status: raw.status, headers: raw.headers, data: text };
  }

  private async send(
    url: URL,
    body: Buffer | undefined,
    headers: IHeaders,
    call: SoapCall,
    maxBytes: number,
  ): Promise<RawResponse> {
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:')
      throw new SoapCallFailure(
        `unsupported endpoint protocol ${url.protocol}`,
        'permanent',
        SoapErrorClass.CONNECTION,
      );
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port) || (secure ? 443 : 80);
    try {
      await this.options.egress.assertAllowed(host, port);
    } catch (error) {
      if (error instanceof EgressDeniedError)
        throw new SoapCallFailure(error.message, 'permanent', SoapErrorClass.EGRESS_DENIED);
      throw error;
    }
    const requestHeaders: http.OutgoingHttpHeaders = {
      Accept: 'text/xml, application/soap+xml, */*;q=0.1',
      'Accept-Encoding': 'identity',
      'User-Agent': 'tongban-soap',
      ...(headers as http.OutgoingHttpHeaders),
    };
    if (body) requestHeaders['Content-Length'] = body.length;
    const options: https.RequestOptions = {
      protocol: url.protocol,
      hostname: host,
      port,
      path: `${url.pathname}${url.search}`,
      method: body ? 'POST' : 'GET',
      headers: requestHeaders,
      agent: secure ? this.agents.https : this.agents.http,
    };
    return readResponse(secure ? https.request(options) : http.request(options), body, call, maxBytes);
  }
}

/** Sends the request and collects the response under `maxBytes`, honouring the call's abort signal. */
function readResponse(
  req: http.ClientRequest,
  body: Buffer | undefined,
  call: SoapCall,
  maxBytes: number,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let written = false;
    let settled = false;
    const settle = (error: unknown, response?: RawResponse): void => {
      if (settled) return;
      settled = true;
      call.signal.removeEventListener('abort', onAbort);
      if (response) resolve(response);
      else reject(error instanceof SoapCallFailure ? error : connectionFailure(error, written));
    };
    const onAbort = (): void => {
      const failure = new SoapCallFailure(
        written ? 'timed out waiting for the response' : 'timed out before the request was sent',
        'transient',
        SoapErrorClass.TIMEOUT,
        { ambiguous: written },
      );
      settle(failure);
      req.destroy(failure);
    };
    if (call.signal.aborted) return onAbort();
    call.signal.addEventListener('abort', onAbort, { once: true });
    req.on('finish', () => (written = true));
    req.on('error', (error) => settle(error));
    req.on('response', (res) => {
      call.httpStatus = res.statusCode ?? 0;
      const declared = Number(res.headers['content-length']);
      if (declared > maxBytes) {
        settle(badResponse(`response too large: Content-Length ${declared} exceeds ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > maxBytes) {
          call.received = Buffer.concat(chunks);
          chunks.length = 0;
          settle(badResponse(`response too large: more than ${maxBytes} bytes`));
          req.destroy(); // close the socket: the rest of the body is never read
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        call.received = Buffer.concat(chunks, size);
        settle(undefined, { status: call.httpStatus ?? 0, headers: res.headers, body: call.received });
      });
      res.on('error', (error) => settle(error));
      res.on('close', () => settle(new Error('connection closed before the response ended')));
    });
    req.end(body);
  });
}

function connectionFailure(error: unknown, written: boolean): SoapCallFailure {
  // The guard's lookup refuses at connect time when a name resolves outside allowedHosts.
  if (error instanceof EgressDeniedError)
    return new SoapCallFailure(error.message, 'permanent', SoapErrorClass.EGRESS_DENIED);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // Once the whole request went out the department may have applied it: checkStatus before resending.
  return new SoapCallFailure(`${code ? `${code}: ` : ''}${message}`, 'transient', SoapErrorClass.CONNECTION, {
    ambiguous: written,
  });
}
