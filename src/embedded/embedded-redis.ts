import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { launchOnPort, ManagedProcess, requireBinary, waitUntilReady, type LogFn } from './managed-process';

export interface EmbeddedRedisOptions {
  dataDir: string;
  port?: number;
  log?: LogFn;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** A private redis-server on loopback that keeps its append-only file under `<dataDir>/redis`. */
export class EmbeddedRedis {
  private readonly dir: string;
  private readonly logFile: string;
  private readonly log: LogFn;
  private port: number | undefined;
  private proc: ManagedProcess | undefined;

  constructor(options: EmbeddedRedisOptions) {
    this.dir = join(resolve(options.dataDir), 'redis');
    this.logFile = join(this.dir, 'redis.log');
    this.port = options.port;
    this.log = options.log ?? (() => undefined);
  }

  get url(): string {
    if (this.port === undefined) throw new Error('EmbeddedRedis has not been started');
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Pid of the running server, if any. */
  get pid(): number | undefined {
    return this.proc?.running ? this.proc.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.proc?.running) return;
    mkdirSync(this.dir, { recursive: true });
    this.port = await launchOnPort(this.port, (port) => this.launch(port));
    this.log(`redis-server ready at ${this.url} (pid ${String(this.pid)}, data in ${this.dir})`);
  }

  async stop(): Promise<void> {
    if (!this.proc?.running) return;
    await this.proc.stop(STOP_TIMEOUT_MS);
    this.log(`redis-server on port ${String(this.port)} stopped`);
  }

  /** SIGKILL, for fault tests: nothing gets a chance to flush. */
  async kill(): Promise<void> {
    await this.proc?.kill();
  }

  /** Same port and data dir, so clients can reconnect to the same URL. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async launch(port: number): Promise<void> {
    const proc = new ManagedProcess({
      name: 'redis-server',
      command: requireBinary('redis-server'),
      args: this.args(port),
      outputFile: this.logFile,
    });
    this.proc = proc;
    try {
      await waitUntilReady(proc, {
        timeoutMs: START_TIMEOUT_MS,
        logFile: this.logFile,
        probe: () => probe(port, proc.pid),
      });
    } catch (error) {
      await proc.kill();
      throw error;
    }
  }

  private args(port: number): string[] {
    return [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'yes',
      '--dir',
      this.dir,
      // Queue jobs must survive a crash. With everysec each write still reaches the OS before the
      // reply, so a killed server loses nothing; only a machine crash can cost up to a second.
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      // BullMQ breaks if Redis evicts its keys.
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
      '--logfile',
      this.logFile,
      // Keeps the full argv in /proc/<pid>/cmdline, which stale-process cleanup matches on.
      '--set-proc-title',
      'no',
    ];
  }
}

/**
 * One INFO over a raw socket. Ready means: this is our process (not another server that owns the
 * port) and it has finished loading its append-only file.
 */
function probe(port: number, pid: number | undefined): Promise<void> {
  return new Promise((resolveProbe, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = Buffer.alloc(0);
    const finish = (error?: Error): void => {
      socket.destroy();
      if (error) reject(error);
      else resolveProbe();
    };
    socket.setTimeout(1000, () => finish(new Error('INFO timed out')));
    socket.once('error', finish);
    socket.once('connect', () => socket.write('INFO\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      const info = completeBulkString(reply);
      if (info === undefined) return;
      if (info instanceof Error) return finish(info);
      const serverPid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
      if (serverPid !== pid)
        return finish(new Error(`port ${port} is served by another process (pid ${serverPid})`));
      finish(/^loading:0/m.test(info) ? undefined : new Error('still loading its data'));
    });
  });
}

/** The text of a complete RESP bulk string reply, an Error for an error reply, undefined if incomplete. */
function completeBulkString(reply: Buffer): string | Error | undefined {
  const headerEnd = reply.indexOf('\r\n');
  if (headerEnd < 0) return undefined;
  const header = reply.toString('utf8', 0, headerEnd);
  if (!header.startsWith('$')) return new Error(`redis-server answered ${header}`);
  const bodyEnd = headerEnd + 2 + Number(header.slice(1));
  return reply.length < bodyEnd ? undefined : reply.toString('utf8', headerEnd + 2, bodyEnd);
}
