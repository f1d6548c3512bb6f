import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseDpfFaultSpec, type DpfFaultSpec } from './dpf-fault-modes';

export interface DpfControlHandlers {
  setFault(spec: DpfFaultSpec): void;
  stats(): unknown;
  rejectIds(ids: string[], remark?: string): void;
  resendIds(ids: string[]): void;
  /** Writes a result file answering `04` (approved) for these ids; resolves to its name. */
  approveIds(ids: string[], remark?: string): Promise<string>;
  reset(): void;
}

const MAX_BODY = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
}

const send = (res: ServerResponse, status: number, body?: unknown): void => {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
};

const idList = (body: unknown): string[] | undefined => {
  const ids = (body as { ids?: unknown } | null)?.ids;
  return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
};

/**
 * The simulator's control endpoint on its own loopback port (no authentication):
 * `POST /__control/fault {mode, delayMs}`, `GET /__control/stats`, `POST /__control/reject {ids, remark}`,
 * `POST /__control/resend {ids}`, `POST /__control/approve {ids, remark}` (a result file answering `04`),
 * `POST /__control/reset`.
 */
export class DpfControlServer {
  private server?: Server;
  private baseUrl = '';

  constructor(private readonly handlers: DpfControlHandlers) {}

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => send(res, 400, { error: String(error) }));
    });
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => done());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://${address.address}:${address.port}/__control`;
    return this.baseUrl;
  }

  get url(): string {
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((done) => server.close(() => done()));
    server.closeAllConnections();
    await closed;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = `${req.method ?? ''} ${(req.url ?? '').split('?')[0]}`;
    switch (route) {
      case 'GET /__control/stats':
        return send(res, 200, this.handlers.stats());
      case 'POST /__control/fault': {
        const spec = parseDpfFaultSpec(await readJson(req));
        if (typeof spec === 'string') return send(res, 400, { error: spec });
        this.handlers.setFault(spec);
        return send(res, 204);
      }
      case 'POST /__control/reject':
      case 'POST /__control/resend': {
        const body = await readJson(req);
        const ids = idList(body);
        if (!ids) return send(res, 400, { error: 'ids must be an array of strings' });
        if (route.endsWith('reject')) {
          const remark = (body as { remark?: unknown }).remark;
          this.handlers.rejectIds(ids, typeof remark === 'string' ? remark : undefined);
        } else this.handlers.resendIds(ids);
        return send(res, 204);
      }
      case 'POST /__control/approve': {
        const body = await readJson(req);
        const ids = idList(body);
        if (!ids) return send(res, 400, { error: 'ids must be an array of strings' });
        const remark = (body as { remark?: unknown }).remark;
        const file = await this.handlers.approveIds(ids, typeof remark === 'string' ? remark : undefined);
        return send(res, 200, { file });
      }
      case 'POST /__control/reset':
        this.handlers.reset();
        return send(res, 204);
      default:
        return send(res, 404, { error: 'not found' });
    }
  }
}
