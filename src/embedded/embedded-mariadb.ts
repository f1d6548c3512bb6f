import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import {
  createConnection,
  type Connection,
  type ConnectionOptions,
  type RowDataPacket,
} from 'mysql2/promise';
import {
  isRoot,
  launchOnPort,
  ManagedProcess,
  requireBinary,
  runToCompletion,
  waitUntilReady,
  type LogFn,
} from './managed-process';

export interface EmbeddedMariaDbOptions {
  dataDir: string;
  port?: number;
  log?: LogFn;
  /** InnoDB buffer pool, e.g. `256M` (the default, for a developer machine) or `2G`. */
  bufferPoolSize?: string;
}

const DATABASE = 'tongban';
const USER = 'tongban';
const PASSWORD = 'tongban';
const INSTALL_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;
/** Linux caps unix socket paths at 108 bytes. */
const MAX_SOCKET_PATH = 100;

/**
 * A private mariadbd on loopback with its files under `<dataDir>/mariadb`. Root is reachable only
 * through the private unix socket; the gateway and tests log in as `tongban` over TCP.
 */
export class EmbeddedMariaDb {
  private readonly baseDir: string;
  private readonly dataDir: string;
  private readonly socketPath: string;
  private readonly errorLog: string;
  private readonly log: LogFn;
  private readonly bufferPoolSize: string;
  private port: number | undefined;
  private proc: ManagedProcess | undefined;

  constructor(options: EmbeddedMariaDbOptions) {
    this.baseDir = join(resolve(options.dataDir), 'mariadb');
    this.dataDir = join(this.baseDir, 'data');
    this.errorLog = join(this.baseDir, 'error.log');
    this.socketPath = socketPathFor(this.baseDir);
    this.port = options.port;
    this.log = options.log ?? (() => undefined);
    this.bufferPoolSize = options.bufferPoolSize ?? '256M';
  }

  get url(): string {
    if (this.port === undefined) throw new Error('EmbeddedMariaDb has not been started');
    return `mysql://${USER}:${PASSWORD}@127.0.0.1:${this.port}/${DATABASE}`;
  }

  /** Pid of the running server, if any. */
  get pid(): number | undefined {
    return this.proc?.running ? this.proc.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.proc?.running) return;
    mkdirSync(this.baseDir, { recursive: true });
    mkdirSync(join(this.baseDir, 'tmp'), { recursive: true });
    await this.initialiseDataDir();
    this.port = await launchOnPort(this.port, (port) => this.launch(port));
    this.log(`mariadbd ready at ${this.url} (pid ${String(this.pid)}, data in ${this.dataDir})`);
  }

  async stop(): Promise<void> {
    if (!this.proc?.running) return;
    await this.proc.stop(STOP_TIMEOUT_MS);
    this.log(`mariadbd on port ${String(this.port)} stopped`);
  }

  /** SIGKILL, for fault tests: the next start goes through InnoDB crash recovery. */
  async kill(): Promise<void> {
    await this.proc?.kill();
  }

  /** Same port and data dir, so clients can reconnect to the same URL. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Installs the system tables into a staging dir, renamed into place only once complete. */
  private async initialiseDataDir(): Promise<void> {
    if (existsSync(join(this.dataDir, 'mysql'))) return;
    const staging = `${this.dataDir}.init`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    this.log(`initialising MariaDB data dir ${this.dataDir}`);
    const args = [
      '--no-defaults',
      `--datadir=${staging}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ];
    // As root, say whose files these are: mariadbd runs as root here too (see args), not as `mysql`.
    if (isRoot()) args.push(`--user=${userInfo().username}`);
    await runToCompletion(
      {
        name: 'mariadb-install-db',
        command: requireBinary('mariadb-install-db'),
        args,
        outputFile: join(this.baseDir, 'install-db.log'),
      },
      INSTALL_TIMEOUT_MS,
    );
    // Fails rather than overwrite if something unexpected already sits at the data dir.
    renameSync(staging, this.dataDir);
  }

  private async launch(port: number): Promise<void> {
    const proc = new ManagedProcess({
      name: 'mariadbd',
      command: requireBinary('mariadbd'),
      args: this.args(port),
      outputFile: this.errorLog,
    });
    this.proc = proc;
    let bootstrapped = false;
    const probe = async (): Promise<void> => {
      if (!bootstrapped) {
        await withConnection({ socketPath: this.socketPath, user: 'root' }, bootstrap);
        bootstrapped = true;
      }
      await withConnection(
        { host: '127.0.0.1', port, user: USER, password: PASSWORD, database: DATABASE },
        async (connection) => {
          // Another server may own the port (ours then fails to bind); make sure it is this one.
          const [rows] = await connection.query<RowDataPacket[]>('SELECT @@socket AS socket');
          const socket = String(rows[0]?.socket);
          if (socket !== this.socketPath)
            throw new Error(`port ${port} is served by another server (${socket})`);
        },
      );
    };
    try {
      await waitUntilReady(proc, { timeoutMs: START_TIMEOUT_MS, logFile: this.errorLog, probe });
    } catch (error) {
      await proc.kill();
      throw error;
    }
  }

  private args(port: number): string[] {
    return [
      // --no-defaults must come first; it keeps /etc/mysql out of it, so the system service's
      // settings, socket and data never apply.
      '--no-defaults',
      // mariadbd refuses to run as root unless told to explicitly.
      ...(isRoot() ? ['--user=root'] : []),
      `--datadir=${this.dataDir}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${this.socketPath}`,
      `--pid-file=${join(this.baseDir, 'mariadb.pid')}`,
      `--log-error=${this.errorLog}`,
      // Temporary tables (large GROUP BYs) under the data dir, not a shared /tmp that others clean.
      `--tmpdir=${join(this.baseDir, 'tmp')}`,
      '--skip-name-resolve',
      `--innodb-buffer-pool-size=${this.bufferPoolSize}`,
      '--innodb-flush-log-at-trx-commit=1',
      // io_uring/libaio setup fails in some containers (seccomp, memlock limits); a private test and
      // dev server does not need native AIO.
      '--innodb-use-native-aio=0',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      '--max-connections=500',
    ];
  }
}

/** Idempotent, so it runs on every start and also repairs a data dir from an interrupted first start. */
async function bootstrap(root: Connection): Promise<void> {
  await root.query(
    `CREATE DATABASE IF NOT EXISTS \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  for (const host of ['127.0.0.1', 'localhost']) {
    await root.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [USER, host, PASSWORD]);
    // ON *.*: tests create databases of their own.
    await root.query('GRANT ALL PRIVILEGES ON *.* TO ?@?', [USER, host]);
  }
  // mariadb-install-db also creates password-less root accounts reachable over TCP; keep root on the socket.
  const [rows] = await root.query<RowDataPacket[]>(
    "SELECT Host FROM mysql.user WHERE User = 'root' AND Host <> 'localhost'",
  );
  for (const row of rows) {
    await root.query('DROP USER IF EXISTS ?@?', ['root', String(row.Host)]);
  }
}

async function withConnection(
  options: ConnectionOptions,
  use: (connection: Connection) => Promise<void>,
): Promise<void> {
  const connection = await createConnection({ ...options, connectTimeout: 2000 });
  try {
    await use(connection);
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

function socketPathFor(baseDir: string): string {
  const preferred = join(baseDir, 'mariadb.sock');
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
  // A deep data dir would overflow the limit; fall back to a short, stable name in the temp dir.
  const digest = createHash('sha256').update(baseDir).digest('hex').slice(0, 16);
  return join(tmpdir(), `tongban-mariadb-${digest}.sock`);
}
