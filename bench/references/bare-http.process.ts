/**
 * Reference: the bare minimum of a JSON intake on node:http — read the body, JSON.parse it, answer
 * 202 with an id. No validation, no storage: the ceiling of HTTP + JSON in one Node process.
 * Sends `{ url }` once listening.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body: { externalId?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { externalId?: unknown };
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"malformed JSON"}');
      return;
    }
    const answer = JSON.stringify({ id: randomUUID(), externalId: body.externalId, status: 'SUBMITTED' });
    res.writeHead(202, { 'content-type': 'application/json' }).end(answer);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ url: `http://127.0.0.1:${port}/api/v1/cases` });
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('disconnect', stop);
