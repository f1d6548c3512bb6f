import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ConnectProxyOptions {
  /** When set, CONNECT needs `Proxy-Authorization: Basic` with these credentials (else 407). */
  credentials?: { username: string; password: string };
}

/**
 * A forward proxy that only speaks CONNECT, like the proxies in front of department networks:
 * records every tunnel it was asked for, so tests can prove where traffic went.
 */
export class ConnectProxy {
  /** host:port of every CONNECT, in order, including refused ones. */
  readonly requests: string[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: ConnectProxyOptions = {}) {}

  async start(): Promise<string> {
    const server = createServer((_req, res) => {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('CONNECT only');
    });
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) =>
      this.tunnel(req, client, head),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = req.url ?? '';
    this.requests.push(target);
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    if (this.options.credentials && !this.authorized(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const upstream = connect({ host: match[1], port: Number(match[2]) }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  }

  private authorized(req: IncomingMessage): boolean {
    const { username, password } = this.options.credentials!;
    const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    return req.headers['proxy-authorization'] === expected;
  }
}
