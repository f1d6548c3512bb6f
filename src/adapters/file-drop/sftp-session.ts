import { createHash } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import type { SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { isPortAware } from '../network/egress-guard';
import type { EgressGuard } from '../sdk/egress-guard';
import type { SftpTargetOptions } from './file-drop-adapter.options';

export interface SftpConnection {
  client: SftpClient;
  /** The raw ssh2 channel, for what the client library lacks (exclusive open, fsync). */
  sftp: SFTPWrapper;
  socket: Socket;
  alive: boolean;
}

type Log = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export class SftpTimeoutError extends Error {
  override readonly name = 'SftpTimeoutError';
}

/** Races a promise against a timer and an abort signal; the loser's work is cut off by dropping the connection. */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new SftpTimeoutError(`${what} timed out after ${ms} ms`)), ms);
    const onAbort = (): void => reject((signal?.reason as Error | undefined) ?? new Error(`${what} aborted`));
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}

/**
 * One reused SFTP connection per adapter: opened on demand (after the egress check, over a socket
 * whose DNS lookup the guard controls), dropped on timeout or error, closed when idle.
 */
export class SftpSession {
  private current?: SftpConnection;
  private opening?: Promise<SftpConnection>;
  private idleTimer?: NodeJS.Timeout;
  private active = 0;
  private warnedUnpinned = false;

  constructor(
    private readonly target: SftpTargetOptions,
    private readonly privateKey: Buffer | undefined,
    private readonly egress: EgressGuard,
    private readonly log: Log,
  ) {}

  async run<T>(
    what: string,
    op: (connection: SftpConnection) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    signal?.throwIfAborted();
    const connection = await this.connection(signal);
    this.active++;
    clearTimeout(this.idleTimer);
    try {
      return await withDeadline(op(connection), this.target.operationTimeoutMs, `sftp ${what}`, signal);
    } catch (error) {
      // A numeric code is an SFTP status from a working server (no such file…); anything else
      // (timeout, abort, reset, unexpected close) leaves the connection in doubt: start afresh.
      if (typeof (error as { code?: unknown }).code !== 'number' || signal?.aborted) this.drop(connection);
      throw error;
    } finally {
      this.active--;
      this.armIdleTimer();
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const connection = this.current ?? (await this.opening?.catch(() => undefined));
    this.current = undefined;
    if (!connection) return;
    connection.alive = false;
    await withDeadline(connection.client.end(), 2_000, 'sftp end').catch(() => undefined);
    connection.socket.destroy();
  }

  private async connection(signal?: AbortSignal): Promise<SftpConnection> {
    if (this.current?.alive) return this.current;
    this.current = undefined;
    this.opening ??= this.open(signal).finally(() => (this.opening = undefined));
    this.current = await this.opening;
    return this.current;
  }

  private drop(connection: SftpConnection): void {
    connection.alive = false;
    if (this.current === connection) this.current = undefined;
    connection.socket.destroy();
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    if (this.active > 0 || !this.current) return;
    this.idleTimer = setTimeout(() => void this.close(), this.target.idleCloseMs);
    this.idleTimer.unref();
  }

  private async open(signal?: AbortSignal): Promise<SftpConnection> {
    const { host, port, connectTimeoutMs } = this.target;
    await this.egress.assertAllowed(host, port);
    const socket = await connectSocket(host, port, this.egress, connectTimeoutMs, signal);
    const connection = { socket, alive: true } as SftpConnection;
    const dead = (): void => {
      connection.alive = false;
    };
    connection.client = new SftpClient('tongban-file-drop', {
      error: (error: unknown) => {
        dead();
        this.log('warn', 'sftp connection error', { host, port, error: String(error) });
      },
      end: dead,
      close: dead,
    });
    socket.once('close', dead);
    try {
      connection.sftp = await withDeadline(
        connection.client.connect({
          sock: socket,
          username: this.target.username,
          password: this.target.password,
          privateKey: this.privateKey,
          passphrase: this.target.passphrase,
          readyTimeout: connectTimeoutMs,
          keepaliveInterval: 15_000,
          keepaliveCountMax: 3,
          hostVerifier: (key: Buffer) => this.verifyHostKey(key),
        }),
        connectTimeoutMs,
        `sftp connect ${host}:${port}`,
        signal,
      );
    } catch (error) {
      socket.destroy();
      throw error;
    }
    this.log('debug', 'sftp connected', { host, port });
    return connection;
  }

  private verifyHostKey(key: Buffer): boolean {
    const fingerprint = 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
    const pinned = this.target.hostFingerprint?.replace(/=+$/, '');
    if (pinned) {
      if (fingerprint !== pinned)
        this.log('error', 'sftp host key mismatch', { expected: pinned, got: fingerprint });
      return fingerprint === pinned;
    }
    if (!this.warnedUnpinned) {
      this.warnedUnpinned = true;
      this.log('warn', 'sftp host key not pinned; set target.hostFingerprint', { fingerprint });
    }
    return true;
  }
}

function connectSocket(
  host: string,
  port: number,
  egress: EgressGuard,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Socket> {
  // The guard resolves the name for the socket, so the address checked is the address connected to.
  const lookup = isPortAware(egress) ? egress.lookupForPort(port) : egress.lookup;
  const socket = netConnect({ host, port, lookup });
  const connected = new Promise<Socket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
  return withDeadline(connected, timeoutMs, `tcp connect ${host}:${port}`, signal).catch((error: unknown) => {
    socket.destroy();
    throw error;
  });
}
