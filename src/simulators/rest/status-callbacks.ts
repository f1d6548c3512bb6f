import { request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Where and how a simulated department reports status changes, like a real one calling back. */
export interface StatusCallbackOptions {
  /** E.g. the gateway's `http://127.0.0.1:3000/api/v1/departments/CIVIL/callbacks`. */
  url: string;
  /** Shared HMAC secret (the department's `tracking.callbacks.auth.secret`). */
  secret: string;
  /** Waits before each retry of a failed callback; its length is the number of retries. */
  retryDelaysMs?: number[];
  /** Per attempt. */
  timeoutMs?: number;
  /** For an https url: the CA to trust, and a client certificate for mTLS. */
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
}

export interface CallbackStats {
  /** HTTP attempts made, retries included. */
  attempts: number;
  /** Callbacks answered with 2xx. */
  delivered: number;
  /** Callbacks given up on: a final refusal (400, 401, 409…) or retries used up. */
  failed: number;
  /** Status codes of the last attempts, newest last (0 = no answer). */
  lastStatuses: number[];
}

/** Headers that sign one callback body (each attempt is signed afresh, e.g. with a new timestamp). */
export type CallbackSigner = (body: Buffer, secret: string) => Record<string, string>;

const DEFAULT_RETRY_DELAYS_MS = [500, 2_000, 5_000];
const LAST_STATUSES = 10;

/**
 * A department's outgoing status callbacks: POSTs status payloads signed by its scheme, and retries
 * what did not get through as a real department does: no answer, 5xx, 429, and 404 (the gateway
 * may not have recorded the receipt yet). Other refusals (400, 401, 409) are final.
 */
export class StatusCallbacks {
  private options?: StatusCallbackOptions;
  private counters: CallbackStats = { attempts: 0, delivered: 0, failed: 0, lastStatuses: [] };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<ClientRequest>();
  /** Bumped by cancel(), so work started before it neither retries nor fires. */
  private generation = 0;

  constructor(
    private readonly sign: CallbackSigner,
    options?: StatusCallbackOptions,
  ) {
    this.options = options;
  }

  get enabled(): boolean {
    return this.options !== undefined;
  }

  /** Turns callbacks on with these options, or off without; drops what is pending. */
  configure(options?: StatusCallbackOptions): void {
    this.cancel();
    this.options = options;
  }

  /** The control call body `{ url, secret, retryDelaysMs? }` turns them on; `{}` turns them off. */
  configureFrom(input: Record<string, unknown>): { ok: true; url: string | null } {
    const on = typeof input.url === 'string' && typeof input.secret === 'string';
    const delays = Array.isArray(input.retryDelaysMs) ? input.retryDelaysMs.map(Number) : undefined;
    this.configure(
      on ? { url: input.url as string, secret: input.secret as string, retryDelaysMs: delays } : undefined,
    );
    return { ok: true, url: on ? (input.url as string) : null };
  }

  /** Fire and forget; the outcome shows in the stats. */
  send(payload: Record<string, unknown>): void {
    if (!this.options) return;
    void this.attempt(this.options, Buffer.from(JSON.stringify(payload), 'utf8'), 0, this.generation);
  }

  /** Runs `fire` after each delay, unless cancelled first (stage changes of one case). */
  schedule(delaysMs: readonly number[], fire: () => void): void {
    const generation = this.generation;
    for (const delay of delaysMs) this.later(delay, generation, fire);
  }

  stats(): CallbackStats {
    return { ...this.counters, lastStatuses: [...this.counters.lastStatuses] };
  }

  resetStats(): void {
    this.counters = { attempts: 0, delivered: 0, failed: 0, lastStatuses: [] };
  }

  /** Drops pending retries and stage timers and aborts callbacks in flight. */
  cancel(): void {
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const request of this.inFlight) request.destroy();
    this.inFlight.clear();
  }

  private async attempt(
    options: StatusCallbackOptions,
    body: Buffer,
    retry: number,
    generation: number,
  ): Promise<void> {
    this.counters.attempts++;
    const status = await this.post(options, body);
    if (generation !== this.generation) return;
    this.counters.lastStatuses = [...this.counters.lastStatuses, status].slice(-LAST_STATUSES);
    if (status >= 200 && status < 300) {
      this.counters.delivered++;
      return;
    }
    const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const retryable = status === 0 || status >= 500 || status === 429 || status === 404;
    if (!retryable || retry >= delays.length) {
      this.counters.failed++;
      return;
    }
    this.later(delays[retry], generation, () => void this.attempt(options, body, retry + 1, generation));
  }

  private later(ms: number, generation: number, fire: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (generation === this.generation) fire();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** The answer's status code, 0 when there was none. */
  private post(options: StatusCallbackOptions, body: Buffer): Promise<number> {
    const url = new URL(options.url);
    const secure = url.protocol === 'https:';
    const request: RequestOptions & Record<string, unknown> = {
      method: 'POST',
      timeout: options.timeoutMs ?? 10_000,
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': body.length,
        ...this.sign(body, options.secret),
      },
      // A fresh connection per callback, so the client certificate is always presented.
      ...(secure ? { ...options.tls, agent: false } : {}),
    };
    return new Promise((resolve) => {
      const outgoing = (secure ? httpsRequest : httpRequest)(url, request, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', () => resolve(0));
      });
      this.inFlight.add(outgoing);
      outgoing.on('close', () => this.inFlight.delete(outgoing));
      outgoing.on('timeout', () => outgoing.destroy());
      outgoing.on('error', () => resolve(0));
      outgoing.end(body);
    });
  }
}
