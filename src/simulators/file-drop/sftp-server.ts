import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Server, utils, type Connection, type ServerChannel } from 'ssh2';

export const OPENSSH_SFTP_SERVER = '/usr/lib/openssh/sftp-server';

export interface SftpServerOptions {
  /** The department's folder: sessions start here (`sftp-server -d`), so relative paths resolve under it. */
  rootDir: string;
  username: string;
  password: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  sftpServerPath?: string;
}

export interface SftpServerStats {
  connections: number;
  refused: number;
  authenticationFailures: number;
  sftpSessions: number;
}

const sameSecret = (a: string, b: string): boolean => {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};

/**
 * An SSH server for the simulators: ssh2 does the SSH transport and password authentication, the
 * `sftp` subsystem is OpenSSH's own sftp-server, so the adapter talks to the real protocol side.
 * Not a chroot (`-d` only sets the start directory): for tests on loopback, never for real use.
 */
export class SftpServer {
  readonly hostFingerprint: string;
  private readonly hostKey: string;
  private readonly server: Server;
  private readonly clients = new Set<Connection>();
  private readonly children = new Set<ChildProcess>();
  private readonly counters: SftpServerStats = {
    connections: 0,
    refused: 0,
    authenticationFailures: 0,
    sftpSessions: 0,
  };
  private refusing = false;
  private listeningPort = 0;

  constructor(private readonly options: SftpServerOptions) {
    this.hostKey = utils.generateKeyPairSync('ed25519').private;
    const parsed = utils.parseKey(this.hostKey);
    if (parsed instanceof Error) throw parsed;
    const blob = parsed.getPublicSSH();
    this.hostFingerprint = 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
    this.server = new Server({ hostKeys: [this.hostKey] }, (client) => this.onClient(client));
  }

  async start(): Promise<number> {
    await new Promise<void>((done, fail) => {
      this.server.once('error', fail);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => done());
    });
    this.listeningPort = (this.server.address() as AddressInfo).port;
    return this.listeningPort;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Refused: connections are dropped before the SSH handshake completes (the department is down). */
  setRefusing(refusing: boolean): void {
    this.refusing = refusing;
    if (refusing) for (const client of this.clients) client.end();
  }

  stats(): SftpServerStats {
    return { ...this.counters };
  }

  async stop(): Promise<void> {
    for (const child of this.children) child.kill('SIGTERM');
    for (const client of this.clients) client.end();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private onClient(client: Connection): void {
    this.counters.connections += 1;
    // Resets from clients going away are normal here.
    client.on('error', () => undefined);
    if (this.refusing) {
      this.counters.refused += 1;
      client.end();
      return;
    }
    this.clients.add(client);
    client.on('close', () => this.clients.delete(client));
    client.on('authentication', (ctx) => {
      const ok =
        ctx.method === 'password' &&
        ctx.username === this.options.username &&
        sameSecret(ctx.password, this.options.password);
      if (ok) return ctx.accept();
      if (ctx.method === 'password') this.counters.authenticationFailures += 1;
      ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('subsystem', (accept, reject, info) => {
          if (info.name !== 'sftp') return reject();
          this.counters.sftpSessions += 1;
          this.pipeToOpenSsh(accept());
        });
      });
    });
  }

  private pipeToOpenSsh(channel: ServerChannel): void {
    const child = spawn(
      this.options.sftpServerPath ?? OPENSSH_SFTP_SERVER,
      ['-d', this.options.rootDir, '-e', '-l', 'ERROR'],
      {
        stdio: ['pipe', 'pipe', 'ignore'],
      },
    );
    this.children.add(child);
    channel.pipe(child.stdin);
    // Not `end` on stdout's end: the exit status has to go out before the channel closes.
    child.stdout.pipe(channel, { end: false });
    child.stdin.on('error', () => undefined);
    child.on('error', () => channel.close());
    child.on('exit', (code) => {
      this.children.delete(child);
      channel.exit(code ?? 0);
      channel.end();
    });
    channel.on('close', () => child.kill('SIGTERM'));
  }
}
