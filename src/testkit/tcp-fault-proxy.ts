import { createServer, connect, type Server, type Socket } from 'node:net';

export type FaultMode =
  /** Pass traffic through. */
  | 'pass'
  /** Pass traffic through after `latencyMs`. */
  | 'latency'
  /** Accept, then reset the connection (ECONNRESET at the client). */
  | 'reset'
  /** Accept and never answer (the client times out). */
  | 'blackhole'
  /** Refuse new connections (ECONNREFUSED): the listener is closed. */
  | 'refuse';

/**
 * A TCP proxy between the gateway and a department (simulator) whose fault mode changes at run
 * time: the network faults of a private line, made real on loopback.
 */
export class TcpFaultProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private mode: FaultMode = 'pass';
  private latencyMs = 0;
  private listenPort = 0;
  connections = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get port(): number {
    return this.listenPort;
  }

  async start(port = 0): Promise<number> {
    await this.listen(port);
    return this.listenPort;
  }

  /** Changes the fault; existing connections are cut so the next request sees it. */
  async setMode(mode: FaultMode, options: { latencyMs?: number } = {}): Promise<void> {
    this.mode = mode;
    this.latencyMs = options.latencyMs ?? this.latencyMs;
    for (const socket of this.sockets) socket.destroy();
    if (mode === 'refuse' && this.server) await this.closeListener();
    if (mode !== 'refuse' && !this.server) await this.listen(this.listenPort);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await this.closeListener();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((client) => this.handle(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.listenPort = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private closeListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private handle(client: Socket): void {
    this.connections++;
    this.track(client);
    switch (this.mode) {
      case 'reset':
        client.resetAndDestroy();
        return;
      case 'blackhole':
        client.on('data', () => undefined);
        return;
      case 'refuse':
        client.destroy();
        return;
      case 'latency':
      case 'pass': {
        const delay = this.mode === 'latency' ? this.latencyMs : 0;
        client.pause();
        setTimeout(() => {
          if (client.destroyed) return;
          const upstream = connect(this.targetPort, this.targetHost, () => client.resume());
          this.track(upstream);
          client.pipe(upstream).pipe(client);
          upstream.on('error', () => client.destroy());
          client.on('error', () => upstream.destroy());
        }, delay);
        return;
      }
    }
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }
}
