import type { IncomingMessage, ServerResponse } from 'node:http';
import * as iconv from 'iconv-lite';
import {
  deepBody,
  entityBombBody,
  type FaultSpec,
  GARBAGE,
  HTML_502,
  hugeBodyParts,
  xxeBody,
} from './hrss-fault-modes';

const XML = 'text/xml; charset=utf-8';

function reply(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  req.resume(); // the request body is not needed; drain it so keep-alive stays usable
  res.writeHead(status, { 'Content-Type': contentType, ...headers });
  res.end(body);
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Streams a well-formed but oversized response without holding it in memory. */
async function streamHuge(req: IncomingMessage, res: ServerResponse, sizeBytes: number): Promise<void> {
  req.resume();
  const { head, tail } = hugeBodyParts();
  res.writeHead(200, { 'Content-Type': XML });
  res.write(head);
  const chunk = Buffer.alloc(64 * 1024, 'A');
  for (let sent = 0; sent < sizeBytes && !res.destroyed; sent += chunk.length) {
    if (!res.write(chunk)) await drainOrClose(res);
  }
  if (!res.destroyed) res.end(tail);
}

/**
 * Answers for the fault modes that replace the department's answer entirely (nothing is processed).
 * Returns false when the mode lets the request through to node-soap.
 */
export function sendHostileResponse(
  spec: FaultSpec,
  req: IncomingMessage,
  res: ServerResponse,
  defaultXxeFile: string,
): boolean {
  switch (spec.mode) {
    case 'down':
      reply(req, res, 503, 'text/plain; charset=utf-8', 'Service Unavailable', { 'Retry-After': '1' });
      return true;
    case 'html-502':
      reply(req, res, 502, 'text/html', HTML_502);
      return true;
    case 'garbage':
      reply(req, res, 200, XML, GARBAGE);
      return true;
    case 'xxe':
      reply(req, res, 200, XML, xxeBody(spec.file ?? defaultXxeFile));
      return true;
    case 'entity-bomb':
      reply(req, res, 200, XML, entityBombBody());
      return true;
    case 'deep':
      reply(req, res, 200, XML, deepBody(spec.depth ?? 20_000));
      return true;
    case 'huge':
      void streamHuge(req, res, spec.sizeBytes ?? 20 * 1024 * 1024);
      return true;
    case 'none':
    case 'slow':
    case 'flaky':
    case 'ambiguous':
    case 'always-failing':
    case 'gbk':
      return false;
  }
}

/** Re-encodes node-soap's UTF-8 answer as GBK, the way older Chinese government stacks answer. */
export function sendAsGbk(res: ServerResponse, utf8Body: Buffer): void {
  const text = utf8Body.toString('utf8').replace(/^<\?xml([^>]*?)encoding="[^"]*"/, '<?xml$1encoding="GBK"');
  const body = iconv.encode(text, 'gbk');
  res.setHeader('Content-Type', 'text/xml; charset=GBK');
  res.setHeader('Content-Length', String(body.length));
  res.end(body);
}
