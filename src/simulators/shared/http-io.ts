import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFaultSpec, type FaultInjector } from './fault-mode';

export const CONTROL_PREFIX = '/__control/';

/** Reads a request body up to `limit` bytes; undefined when it is larger. */
export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/**
 * The control endpoints every HTTP simulator shares: `POST /__control/fault` (a FaultSpec as
 * JSON) and `GET /__control/stats`. Returns false for other paths so the simulator can add its own.
 */
export function handleFaultControl(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  faults: FaultInjector,
  stats: () => unknown,
): boolean {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path === `${CONTROL_PREFIX}stats`) {
    sendJson(res, 200, stats());
    return true;
  }
  if (req.method === 'GET' && path === `${CONTROL_PREFIX}fault`) {
    sendJson(res, 200, faults.current);
    return true;
  }
  if (req.method === 'POST' && path === `${CONTROL_PREFIX}fault`) {
    try {
      const spec = parseFaultSpec(JSON.parse(body.toString('utf8')));
      faults.set(spec);
      sendJson(res, 200, faults.current);
    } catch (error) {
      sendJson(res, 400, { error: 'invalid_fault', message: (error as Error).message });
    }
    return true;
  }
  return false;
}
