import { XMLBuilder } from 'fast-xml-parser';
import { createHttpAgents, type HttpAgents } from '../network/http-agents';
import { proxySettings } from '../network/proxy-tunnel';
import type { AdapterContext } from '../sdk/adapter-factory';
import type { DeliveryOutcome } from '../sdk/delivery-outcome';
import type {
  AdapterHealth,
  DeliveryRequest,
  DepartmentAdapter,
  DepartmentStatusReport,
} from '../sdk/department-adapter';
import { readText } from './read-field';
import type { RestAdapterOptions } from './rest-adapter.options';
import { createAuthenticator, type RequestAuthenticator } from './rest-auth';
import { MessageError, RedirectError } from './rest-errors';
import { classifyAnswer, classifyFailure, departmentReason, parseBody, receiptOf } from './rest-outcome';
import { RestTransport, type HttpAnswer, type HttpMethod } from './rest-transport';

export interface RestAdapterDeps {
  /** Epoch ms; tests pin it for HMAC timestamps and token expiry. */
  now?: () => number;
}

interface Hop {
  method: HttpMethod;
  url: URL;
  body?: Buffer;
  headers: Record<string, string>;
}

const xmlBuilder = new XMLBuilder({ ignoreAttributes: false, format: false });

/**
 * Delivers a mapped message to a department's REST endpoint. URLs come only from config (the
 * case can at most fill the documented placeholders, URL-encoded); every answer and failure is
 * classified in rest-outcome.ts.
 */
export class RestAdapter implements DepartmentAdapter {
  readonly checkStatus?: DepartmentAdapter['checkStatus'];
  private readonly options: RestAdapterOptions;
  private readonly agents: HttpAgents;
  private readonly transport: RestTransport;
  private readonly auth: RequestAuthenticator;
  private readonly base: URL;
  private readonly now: () => number;
  private readonly log: AdapterContext<RestAdapterOptions>['log'];

  constructor(context: AdapterContext<RestAdapterOptions>, deps: RestAdapterDeps = {}) {
    this.options = context.options;
    this.now = deps.now ?? Date.now;
    this.log = context.log;
    this.base = new URL(this.options.baseUrl);
    this.agents = createHttpAgents({
      egress: context.egress,
      // One more than the deliveries in flight, for token and status calls.
      maxSockets: context.department.delivery.concurrency + 1,
      tls: this.options.tls,
      baseDir: context.configDir,
      proxy: proxySettings(context.department.network?.proxy),
    });
    this.transport = new RestTransport(this.agents, context.egress, this.options);
    this.auth = createAuthenticator(this.options.auth, { transport: this.transport, now: this.now });
    if (this.options.statusPath) this.checkStatus = (query) => this.lookupStatus(query);
  }

  async deliver(request: DeliveryRequest): Promise<DeliveryOutcome> {
    const context = { bodyFormat: this.options.bodyFormat, receipt: this.options.receipt };
    let sent: Buffer | undefined;
    try {
      sent = this.serialize(request.message);
      const headers: Record<string, string> = {
        'Content-Type': `application/${this.options.bodyFormat}; charset=utf-8`,
      };
      if (this.options.idempotencyHeader) headers[this.options.idempotencyHeader] = request.deliveryId;
      const answer = await this.exchange(
        { method: this.options.method, url: this.urlFor(this.options.path), body: sent, headers },
        request.signal,
      );
      const outcome = classifyAnswer(answer, { ...context, sent, now: this.now() });
      if (outcome.kind === 'delivered' && this.options.receipt.reference && !outcome.receipt.reference)
        this.log('warn', 'delivered, but the answer has no reference at the configured path', {
          deliveryId: request.deliveryId,
          path: this.options.receipt.reference,
        });
      return outcome;
    } catch (error) {
      return classifyFailure(error, { sent });
    }
  }

  async healthCheck(signal: AbortSignal): Promise<AdapterHealth> {
    const { healthPath } = this.options;
    try {
      // No credentials: a probe must not fetch tokens; any answer below 500 proves reachability.
      const answer = await this.transport.send({
        method: healthPath ? 'GET' : 'HEAD',
        url: healthPath ? this.urlFor(healthPath) : this.base,
        headers: {},
        signal,
      });
      return { ok: answer.status < 500, detail: `HTTP ${answer.status}` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    this.agents.destroy();
  }

  private async lookupStatus(query: {
    deliveryId: string;
    receiptRef?: string;
    signal: AbortSignal;
  }): Promise<DepartmentStatusReport | undefined> {
    const template = this.options.statusPath ?? '';
    if (template.includes('{receiptRef}') && !query.receiptRef) return undefined;
    const path = template
      .replace(/\{deliveryId\}/g, encodeURIComponent(query.deliveryId))
      .replace(/\{receiptRef\}/g, encodeURIComponent(query.receiptRef ?? ''));
    let answer: HttpAnswer;
    try {
      answer = await this.exchange({ method: 'GET', url: this.urlFor(path), headers: {} }, query.signal);
    } catch (error) {
      throw new Error(`status lookup failed: ${(error as Error).message}`, { cause: error });
    }
    if (answer.status === 404) return undefined;
    if (answer.status < 200 || answer.status > 299)
      throw new Error(`status lookup failed: ${departmentReason(answer)}`);
    const parsed = parseBody(answer, this.options.bodyFormat);
    if (!parsed.ok) throw new Error(`status lookup failed: HTTP ${answer.status} with ${parsed.problem}`);
    const { receipt } = this.options;
    return {
      deliveryId: query.deliveryId,
      status: readText(parsed.value, receipt.status) ?? 'UNKNOWN',
      receipt: receiptOf(parsed.value, receipt),
      remark: readText(parsed.value, receipt.remark),
      finishedAt: readText(parsed.value, receipt.finishedAt),
    };
  }

  /** Sends one request, following allowed redirects; credentials only go to baseUrl's origin. */
  private async exchange(first: Hop, signal: AbortSignal): Promise<HttpAnswer> {
    let hop = first;
    for (let redirects = 0; ; redirects++) {
      const answer = await this.sendAuthorized(hop, signal);
      if (answer.status < 300 || answer.status > 399 || !this.options.followRedirects) return answer;
      if (redirects >= this.options.maxRedirects) return answer;
      hop = this.nextHop(hop, answer);
    }
  }

  private nextHop(hop: Hop, answer: HttpAnswer): Hop {
    const location = answer.headers.location;
    if (!location) throw new RedirectError(`HTTP ${answer.status} without a Location header`);
    const url = new URL(location, hop.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new RedirectError(`redirect to unsupported scheme ${url.protocol}`);
    // The egress guard checks the new host in transport.send, before any connection.
    const keepMethod =
      answer.status === 307 || answer.status === 308 || hop.method === 'GET' || hop.method === 'HEAD';
    if (keepMethod) return { ...hop, url };
    const headers = Object.fromEntries(
      Object.entries(hop.headers).filter(([name]) => name.toLowerCase() !== 'content-type'),
    );
    return { method: 'GET', url, headers };
  }

  private async sendAuthorized(hop: Hop, signal: AbortSignal): Promise<HttpAnswer> {
    const sameOrigin = hop.url.origin === this.base.origin;
    const send = async () => {
      const target = { method: hop.method, url: hop.url, body: hop.body ?? Buffer.alloc(0), signal };
      const credentials = sameOrigin ? await this.auth.headers(target) : {};
      const headers = { Accept: this.accept(), ...this.options.headers, ...hop.headers, ...credentials };
      const answer = await this.transport.send({ ...hop, headers, signal });
      return { answer, credentials };
    };
    const first = await send();
    if (first.answer.status !== 401 || !sameOrigin || !this.auth.renewAfterUnauthorized(first.credentials))
      return first.answer;
    // Exactly one retry with a fresh credential; a second 401 is the answer.
    this.log('info', 'HTTP 401: renewing the access token and retrying once', { url: hop.url.pathname });
    return (await send()).answer;
  }

  private serialize(message: unknown): Buffer {
    let text: string | Buffer;
    try {
      if (this.options.bodyFormat === 'json') text = JSON.stringify(message) ?? 'null';
      else
        text =
          typeof message === 'string' || Buffer.isBuffer(message)
            ? message
            : String(xmlBuilder.build(message));
    } catch (error) {
      throw new MessageError(`message cannot be serialized: ${(error as Error).message}`, 'BAD_MESSAGE');
    }
    const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
    if (bytes.length > this.options.maxRequestBytes)
      throw new MessageError(
        `message of ${bytes.length} bytes exceeds maxRequestBytes (${this.options.maxRequestBytes})`,
        'REQUEST_TOO_LARGE',
      );
    return bytes;
  }

  private urlFor(path: string): URL {
    const url = new URL(this.base.toString());
    url.pathname = url.pathname.replace(/\/+$/, '') + path.split('?')[0];
    url.search = path.includes('?') ? path.slice(path.indexOf('?')) : '';
    return url;
  }

  private accept(): string {
    return this.options.bodyFormat === 'json' ? 'application/json' : 'application/xml, text/xml';
  }
}
