import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import * as soap from 'soap';
import { sendAsGbk, sendHostileResponse } from './hostile-responses';
import { type FaultSpec, parseFaultSpec } from './hrss-fault-modes';
import { HrssRegistry, type LoggedRequest } from './hrss-registry';
import { hrssServices, soapFault, type SoapVersion } from './hrss-soap-service';
import { UsernameTokenVerifier } from './hrss-ws-security';
import { captureResponse } from './response-capture';

export interface HrssSimulatorOptions {
  /** Default 127.0.0.1: the control endpoints have no authentication. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** SOAP 1.1 path; the SOAP 1.2 port listens on the same path + `12`. */
  path?: string;
  wsdlFile?: string;
  username?: string;
  password?: string;
  /** Default true: refuse calls without a valid UsernameToken. */
  requireSecurity?: boolean;
  /** Where the `xxe` mode's entity points unless the fault spec names a file. */
  xxeFile?: string;
}

export interface HrssSimulatorStats {
  /** SOAP POSTs that reached the simulator, in any fault mode. */
  received: number;
  submits: number;
  uniqueRequestIds: number;
  duplicates: number;
  /** Registrations applied twice for one requestId: must stay 0. */
  duplicatesApplied: number;
  /** QueryRegistrationStatus calls that reached the service (status polls), in any fault mode. */
  statusQueries: number;
  authenticationFailures: number;
  fault: FaultSpec;
  flakyRemaining: number;
  lastRequests: LoggedRequest[];
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const DEFAULT_WSDL = resolve(__dirname, '../../../config/wsdl/hrss/UnemploymentService.wsdl');

/**
 * The HRSS department's SOAP system (docs/demo-departments.md) as a real node-soap server, with
 * switchable fault modes: `setFault()` or `POST /__control/fault`, counters at `GET /__control/stats`.
 */
export class HrssSimulator {
  readonly registry = new HrssRegistry();
  private server?: Server;
  private fault: FaultSpec = { mode: 'none' };
  private flakyRemaining = 0;
  private received = 0;
  private authenticationFailures = 0;
  private baseUrl = '';
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly path: string;
  private readonly verifier?: UsernameTokenVerifier;

  constructor(private readonly options: HrssSimulatorOptions = {}) {
    this.path = options.path ?? '/hrss/UnemploymentService';
    if (options.requireSecurity !== false)
      this.verifier = new UsernameTokenVerifier({
        username: options.username ?? 'tongban',
        password: options.password ?? 'demo-password',
      });
  }

  /** Starts listening; resolves to the SOAP 1.1 endpoint URL. */
  async start(): Promise<string> {
    const wsdlFile = this.options.wsdlFile ?? DEFAULT_WSDL;
    const xml = await readFile(wsdlFile, 'utf8');
    const server = createServer();
    await this.mount(server, this.path, '1.1', 'UnemploymentPort', xml, wsdlFile);
    await this.mount(server, `${this.path}12`, '1.2', 'UnemploymentPort12', xml, wsdlFile);
    // soap.listen installed its listeners; put the fault-mode and control dispatcher in front of them.
    const soapListeners = server.listeners('request') as Listener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.dispatch(req, res, soapListeners).catch(() => res.destroy());
    });
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => done());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://${address.address}:${address.port}`;
    return this.endpoint;
  }

  get endpoint(): string {
    return `${this.baseUrl}${this.path}`;
  }

  get endpoint12(): string {
    return `${this.baseUrl}${this.path}12`;
  }

  get controlUrl(): string {
    return `${this.baseUrl}/__control`;
  }

  setFault(spec: FaultSpec): void {
    this.fault = { ...spec };
    this.flakyRemaining = spec.mode === 'flaky' ? (spec.count ?? 3) : 0;
  }

  clearFault(): void {
    this.setFault({ mode: 'none' });
  }

  setStatus(requestId: string, status: string, remark?: string): boolean {
    return this.registry.setStatus(requestId, status, remark);
  }

  stats(): HrssSimulatorStats {
    const registry = this.registry;
    return {
      received: this.received,
      submits: registry.submits,
      uniqueRequestIds: registry.uniqueRequestIds,
      duplicates: registry.duplicates,
      duplicatesApplied: registry.applied - registry.uniqueRequestIds,
      statusQueries: registry.statusQueries,
      authenticationFailures: this.authenticationFailures,
      fault: { ...this.fault },
      flakyRemaining: this.flakyRemaining,
      lastRequests: registry.lastRequests(),
    };
  }

  reset(): void {
    this.registry.reset();
    this.received = this.authenticationFailures = 0;
    this.clearFault();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((done) => server.close(() => done()));
    server.closeAllConnections();
    await closed;
  }

  private mount(
    server: Server,
    path: string,
    version: SoapVersion,
    port: string,
    xml: string,
    uri: string,
  ): Promise<void> {
    return new Promise((done, fail) => {
      const services = hrssServices(version, port, {
        registry: this.registry,
        serverFault: () => this.serverFault(),
      });
      const soapServer = soap.listen(server, {
        path,
        services,
        xml,
        uri,
        forceSoap12Headers: version === '1.2',
        enableChunkedEncoding: false,
        suppressStack: true,
        callback: (error: Error | null) => (error ? fail(error) : done()),
      });
      soapServer.authenticate = (security: unknown) => {
        const refusal = this.verifier?.verify(security);
        if (!refusal) return true;
        this.authenticationFailures += 1;
        // Thrown (not `false`): node-soap's own refusal is a SOAP 1.2-style fault in any envelope.
        throw soapFault(version, 'Client', 'Authentication', `认证失败: ${refusal}`);
      };
    });
  }

  private serverFault(): { subcode: string; message: string } | undefined {
    if (this.fault.mode === 'always-failing') return { subcode: 'Unavailable', message: '系统维护中' };
    if (this.fault.mode === 'flaky' && this.flakyRemaining > 0) {
      this.flakyRemaining -= 1;
      return { subcode: 'Busy', message: '系统繁忙，请稍后重试' };
    }
    return undefined;
  }

  private later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    soapListeners: Listener[],
  ): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname.replace(/\/$/, '');
    if (path.startsWith('/__control/')) return this.control(req, res, path);
    if (path !== this.path && path !== `${this.path}12`) {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'POST') this.received += 1;
    const fault = this.fault;
    if (sendHostileResponse(fault, req, res, this.options.xxeFile ?? '/etc/passwd')) return;
    if (fault.mode === 'slow') await new Promise<void>((done) => this.later(fault.delayMs ?? 2_000, done));
    if (fault.mode === 'ambiguous')
      captureResponse(res, (body) => this.later(fault.delayMs ?? 5_000, () => res.end(body)));
    if (fault.mode === 'gbk') captureResponse(res, (body) => sendAsGbk(res, body));
    for (const listener of soapListeners) listener(req, res);
  }

  private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    };
    const route = `${req.method ?? 'GET'} ${path}`;
    if (route === 'GET /__control/stats') return json(200, this.stats());
    if (route === 'DELETE /__control/fault') {
      this.clearFault();
      return json(200, { fault: this.fault });
    }
    if (route === 'POST /__control/reset') {
      this.reset();
      return json(200, { ok: true });
    }
    if (route !== 'POST /__control/fault' && route !== 'POST /__control/status') return json(404, {});
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, 64 * 1024));
    } catch {
      return json(400, { error: 'body must be JSON (at most 64 KiB)' });
    }
    if (route === 'POST /__control/status') {
      const { requestId, status, remark } = (body ?? {}) as Record<string, unknown>;
      const ok =
        typeof requestId === 'string' &&
        typeof status === 'string' &&
        this.setStatus(requestId, status, typeof remark === 'string' ? remark : undefined);
      return json(ok ? 200 : 404, { ok });
    }
    const spec = parseFaultSpec(body);
    if (typeof spec === 'string') return json(400, { error: spec });
    this.setFault(spec);
    return json(200, { fault: this.fault });
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}
