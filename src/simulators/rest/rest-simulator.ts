import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, type FaultSpec } from '../shared/fault-mode';
import { CONTROL_PREFIX, handleFaultControl, readBody, send, sendJson } from '../shared/http-io';
import { StatusCallbacks, type CallbackStats, type StatusCallbackOptions } from './status-callbacks';

export interface RestSimulatorOptions {
  /** A case moves one status stage per this many ms (0 = only by setStatus / the control call). */
  statusAdvanceMs?: number;
  /** Epoch ms; tests may pin it. */
  now?: () => number;
  /** POST each status change to this URL, signed with the department's scheme. */
  callback?: StatusCallbackOptions;
}

export interface StoredCase {
  key: string;
  reference: string;
  /** The answer to the create call, repeated verbatim for the same idempotency key. */
  receipt: Record<string, unknown>;
  createdAt: number;
  /** A status set by control; wins over the time-based stage. */
  status?: string;
  remark?: string;
  finishedAt?: string;
}

export interface SimulatorStats {
  /** TCP connections accepted (control calls included): 0 proves nothing reached the simulator. */
  connections: number;
  /** Non-control HTTP requests of any kind. */
  received: number;
  createRequests: number;
  casesCreated: number;
  uniqueIdempotencyKeys: number;
  /** Creates answered from the idempotency store (same key again). */
  duplicateRequests: number;
  /** Second cases committed for a key already known: stays 0 because creates are idempotent. */
  duplicatesApplied: number;
  /** 4xx answers for bad credentials or bad data. */
  rejected: number;
  faultsInjected: number;
  /** The last create bodies received, newest last. */
  lastBodies: string[];
  /** Status callbacks sent to the gateway. */
  callbacks: CallbackStats;
}

/** One request being answered; `holdMs` delays the answer (ambiguous fault). */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  body: Buffer;
  holdMs: number;
}

const LAST_BODIES = 10;

/**
 * Plain node:http server with what both REST departments share: control endpoints, faults,
 * the idempotent case store, stats and time-based status stages. Subclasses route the rest.
 */
export abstract class RestSimulator {
  protected readonly faults = new FaultInjector();
  protected readonly cases = new Map<string, StoredCase>();
  protected readonly now: () => number;
  private readonly statusAdvanceMs: number;
  private server?: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private counters = { connections: 0, received: 0, createRequests: 0, duplicateRequests: 0, rejected: 0 };
  private commits = 0;
  private lastBodies: string[] = [];
  private sequence = 0;
  private readonly callbacks: StatusCallbacks;

  constructor(options: RestSimulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.statusAdvanceMs = options.statusAdvanceMs ?? 0;
    this.callbacks = new StatusCallbacks((body, secret) => this.signCallback(body, secret), options.callback);
  }

  /** Status stages in order; the last one is final. */
  protected abstract readonly stages: readonly string[];
  /** Whether this request commits cases (the target of `scope: create` faults). */
  protected abstract isCreate(req: IncomingMessage, path: string): boolean;
  protected abstract route(exchange: Exchange): Promise<void>;
  /** A case's status as the department states it: the status GET answer and the callback body. */
  protected abstract statusBody(stored: StoredCase): Record<string, unknown>;
  /** The headers that sign a callback body, in this department's own scheme. */
  protected abstract signCallback(body: Buffer, secret: string): Record<string, string>;
  /** Subclass control calls (beyond fault, stats, status, reset); false when unknown. */
  protected control(_exchange: Exchange): boolean {
    return false;
  }

  /** Listens on 127.0.0.1; port 0 picks a free one. Resolves to the base URL. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', () => this.counters.connections++);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('simulator not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.callbacks.cancel();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  setFault(spec: FaultSpec): void {
    this.faults.set(spec);
  }

  /** Sets a case's status (and remark) by its idempotency key, calling back if on; false when unknown. */
  setStatus(key: string, status: string, remark?: string): boolean {
    const stored = this.cases.get(key);
    if (!stored) return false;
    const before = this.statusOf(stored);
    Object.assign(stored, {
      status,
      remark,
      finishedAt: this.isFinal(status) ? this.timestamp() : undefined,
    });
    if (before.status !== status || before.remark !== remark) this.callBack(stored);
    return true;
  }

  /**
   * Turns status callbacks on (or off, without options). Cases committed while they are on also
   * call back when a time-based stage (`statusAdvanceMs`) is reached.
   */
  setCallback(options?: StatusCallbackOptions): void {
    this.callbacks.configure(options);
  }

  stats(): SimulatorStats {
    return {
      ...this.counters,
      casesCreated: this.commits,
      uniqueIdempotencyKeys: this.cases.size,
      duplicatesApplied: this.commits - this.cases.size,
      faultsInjected: this.faults.injected,
      lastBodies: [...this.lastBodies],
      callbacks: this.callbacks.stats(),
    };
  }

  /** Forgets cases, counters, the fault and pending callbacks (not credentials or the callback URL). */
  reset(): void {
    this.callbacks.cancel();
    this.callbacks.resetStats();
    this.cases.clear();
    this.counters = { connections: 0, received: 0, createRequests: 0, duplicateRequests: 0, rejected: 0 };
    this.commits = 0;
    this.lastBodies = [];
    this.faults.set({ mode: 'none' });
    this.faults.injected = 0;
  }

  /** Answers, after `holdMs` when the ambiguous fault holds it (the client has usually gone by then). */
  protected reply(
    exchange: Exchange,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (status === 400 || status === 401 || status === 403 || status === 422) this.counters.rejected++;
    if (exchange.holdMs <= 0) return sendJson(exchange.res, status, body, headers);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      sendJson(exchange.res, status, body, headers);
    }, exchange.holdMs);
    this.timers.add(timer);
  }

  /** The idempotent create: same key → 200 with the first answer; new key → commit, 201. */
  protected commit(
    exchange: Exchange,
    key: string,
    receipt: (reference: string) => Record<string, unknown>,
  ): void {
    const known = this.cases.get(key);
    if (known) {
      this.counters.duplicateRequests++;
      return this.reply(exchange, 200, known.receipt);
    }
    const reference = this.nextReference();
    const stored: StoredCase = { key, reference, receipt: receipt(reference), createdAt: this.now() };
    this.cases.set(key, stored);
    this.commits++;
    this.reply(exchange, 201, stored.receipt);
    if (this.callbacks.enabled && this.statusAdvanceMs > 0) {
      // A real department calls back when its clerk moves the case on; here, when a stage is reached.
      // Timers and Date.now() run on different clocks: a few ms late, so statusOf has moved on too.
      const stages = this.stages.slice(1).map((_stage, i) => (i + 1) * this.statusAdvanceMs + 5);
      // A status set by control wins over the stages; a reset cancels these.
      this.callbacks.schedule(stages, () => {
        if (stored.status === undefined) this.callBack(stored);
      });
    }
  }

  /** The current status: set by control, else advanced by age. */
  protected statusOf(stored: StoredCase): { status: string; remark?: string; finishedAt?: string } {
    if (stored.status) return { status: stored.status, remark: stored.remark, finishedAt: stored.finishedAt };
    const steps =
      this.statusAdvanceMs > 0 ? Math.floor((this.now() - stored.createdAt) / this.statusAdvanceMs) : 0;
    const stage = Math.min(steps, this.stages.length - 1);
    const final = stage === this.stages.length - 1 && stage > 0;
    const finishedAt = final ? this.timestamp(stored.createdAt + stage * this.statusAdvanceMs) : undefined;
    return { status: this.stages[stage], finishedAt };
  }

  protected abstract referencePrefix(): string;

  /** ISO 8601 in +08:00, as the departments write it. */
  protected timestamp(at = this.now()): string {
    return new Date(at + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00');
  }

  private callBack(stored: StoredCase): void {
    this.callbacks.send(this.statusBody(stored));
  }

  private isFinal(status: string): boolean {
    return status === this.stages[this.stages.length - 1] || !this.stages.includes(status);
  }

  private nextReference(): string {
    this.sequence++;
    const day = this.timestamp().slice(0, 10).replace(/-/g, '');
    return `${this.referencePrefix()}${day}${String(this.sequence).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      if (!body) return sendJson(res, 413, { error: 'too_large', message: 'body over 1 MB' });
      const path = (req.url ?? '/').split('?')[0];
      const exchange: Exchange = { req, res, path, body, holdMs: 0 };
      if (path.startsWith(CONTROL_PREFIX)) return this.handleControl(exchange);
      this.counters.received++;
      const isCreate = this.isCreate(req, path);
      if (isCreate) {
        this.counters.createRequests++;
        this.lastBodies = [...this.lastBodies, body.toString('utf8')].slice(-LAST_BODIES);
      }
      const fault = this.faults.decide(isCreate);
      if (fault.kind === 'fail') return send(res, fault.status, fault.contentType, fault.body);
      if (fault.kind === 'delay') await this.sleep(fault.ms);
      if (fault.kind === 'hold') exchange.holdMs = fault.ms;
      await this.route(exchange);
    } catch (error) {
      sendJson(res, 500, { error: 'simulator_error', message: (error as Error).message });
    }
  }

  private handleControl(exchange: Exchange): void {
    const { req, res, path, body } = exchange;
    if (handleFaultControl(req, res, body, this.faults, () => this.stats())) return;
    if (req.method === 'POST' && path === `${CONTROL_PREFIX}reset`) {
      this.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === `${CONTROL_PREFIX}callback`) {
      // { url, secret, retryDelaysMs? } turns callbacks on; {} turns them off.
      return sendJson(res, 200, this.callbacks.configureFrom(parseObject(body)));
    }
    if (req.method === 'POST' && path === `${CONTROL_PREFIX}status`) {
      const input = parseObject(body);
      const ok =
        typeof input.key === 'string' &&
        typeof input.status === 'string' &&
        this.setStatus(input.key, input.status, typeof input.remark === 'string' ? input.remark : undefined);
      return sendJson(res, ok ? 200 : 404, { ok });
    }
    if (!this.control(exchange))
      sendJson(res, 404, { error: 'not_found', message: `no control call ${path}` });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/** A JSON object body, or undefined when the body is not one. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON object body, or {} when it is not one. */
export function parseObject(body: Buffer): Record<string, unknown> {
  return parseJsonObject(body) ?? {};
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
