import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountedRequest {
  at: number;
  method: string;
}

/**
 * A plain HTTP reverse proxy in front of a department simulator that notes the time of every
 * request: what the department really received, keep-alive connections included.
 */
export class RequestCounter {
  readonly requests: CountedRequest[] = [];
  private server?: Server;

  constructor(private readonly target: URL) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.requests.push({ at: Date.now(), method: req.method ?? 'GET' });
      const upstream = request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.on('error', () => upstream.destroy());
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Requests received in [from, to). */
  between(from: number, to: number): number {
    return this.requests.filter((r) => r.at >= from && r.at < to).length;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
