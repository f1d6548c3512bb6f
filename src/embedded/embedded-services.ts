import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EmbeddedMariaDb } from './embedded-mariadb';
import { EmbeddedRedis } from './embedded-redis';
import { errorMessage, INSTALL_COMMAND, resolveBinary, type LogFn } from './managed-process';

export interface EmbeddedServices {
  redis: EmbeddedRedis;
  mariadb: EmbeddedMariaDb;
  redisUrl: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedServicesOptions {
  dataDir: string;
  log?: LogFn;
  /** MariaDB's InnoDB buffer pool (default 256M). */
  bufferPoolSize?: string;
}

const REQUIRED_BINARIES = ['redis-server', 'mariadbd', 'mariadb-install-db'];
const SERVER_NAMES = ['redis-server', 'mariadbd'] as const;
type ServerName = (typeof SERVER_NAMES)[number];
type PidFile = Partial<Record<ServerName, number>>;
interface RecordedServer {
  name: ServerName;
  pid: number;
}

const PID_FILE = 'embedded.pids';
const STALE_STOP_TIMEOUT_MS = 30_000;

/** Fails fast, naming what is missing and how to install it, instead of a spawn ENOENT later. */
export function assertSystemBinaries(): void {
  const missing = REQUIRED_BINARIES.filter((name) => resolveBinary(name) === undefined);
  if (missing.length > 0) {
    throw new Error(
      `Embedded services need ${missing.join(', ')}, not found in PATH or /usr/sbin. ` +
        `Install with: ${INSTALL_COMMAND}`,
    );
  }
}

/** Starts private Redis and MariaDB servers with their data under `dataDir`. */
export async function startEmbeddedServices(options: EmbeddedServicesOptions): Promise<EmbeddedServices> {
  assertSystemBinaries();
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? (() => undefined);
  const pidFile = join(dataDir, PID_FILE);
  mkdirSync(dataDir, { recursive: true });
  await stopStaleServers(pidFile, dataDir, log);

  const redis = new EmbeddedRedis({ dataDir, log });
  const mariadb = new EmbeddedMariaDb({ dataDir, log, bufferPoolSize: options.bufferPoolSize });
  const results = await Promise.allSettled([redis.start(), mariadb.start()]);
  const failures = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (failures.length > 0) {
    await Promise.allSettled([redis.stop(), mariadb.stop()]);
    throw failures.length === 1
      ? failures[0]
      : new Error(`Embedded services failed to start:\n${failures.map(errorMessage).join('\n\n')}`);
  }
  const pids: PidFile = { 'redis-server': redis.pid, mariadbd: mariadb.pid };
  writeFileSync(pidFile, `${JSON.stringify(pids)}\n`);

  let stopping: Promise<void> | undefined;
  return {
    redis,
    mariadb,
    redisUrl: redis.url,
    databaseUrl: mariadb.url,
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all([redis.stop(), mariadb.stop()]);
        rmSync(pidFile, { force: true });
      })()),
  };
}

/**
 * A run that died by SIGKILL leaves its servers running and holding the data dir (MariaDB locks its
 * files). Stop those, but only after /proc confirms the pid is still our server for this data dir.
 */
async function stopStaleServers(pidFile: string, dataDir: string, log: LogFn): Promise<void> {
  let recorded: PidFile;
  try {
    recorded = JSON.parse(readFileSync(pidFile, 'utf8')) as PidFile;
  } catch {
    return;
  }
  const stale = SERVER_NAMES.flatMap((name): RecordedServer[] => {
    const pid = recorded[name];
    return typeof pid === 'number' && isServerFor(pid, name, dataDir) ? [{ name, pid }] : [];
  });
  for (const server of stale) {
    log(`stopping stale ${server.name} (pid ${server.pid}) left by a previous run`);
    signal(server.pid, 'SIGTERM');
  }
  const survivors = await waitUntilGone(stale, dataDir, STALE_STOP_TIMEOUT_MS);
  for (const server of survivors) signal(server.pid, 'SIGKILL');
  const unkillable = await waitUntilGone(survivors, dataDir, 10_000);
  if (unkillable.length > 0) {
    throw new Error(
      `Stale ${unkillable.map((s) => `${s.name} (pid ${s.pid})`).join(', ')} still running on ${dataDir}`,
    );
  }
  rmSync(pidFile, { force: true });
}

/** A zombie or a reused pid has a different (or empty) cmdline, so it counts as gone. */
function isServerFor(pid: number, name: ServerName, dataDir: string): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  const dirPrefix = `${dataDir}/`;
  return basename(argv[0] ?? '') === name && argv.some((arg) => arg.includes(dirPrefix));
}

async function waitUntilGone(
  servers: RecordedServer[],
  dataDir: string,
  timeoutMs: number,
): Promise<RecordedServer[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = servers;
  while (alive.length > 0 && Date.now() < deadline) {
    await delay(100);
    alive = alive.filter((server) => isServerFor(server.pid, server.name, dataDir));
  }
  return alive;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
