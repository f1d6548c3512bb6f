import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';

/**
 * `TONGBAN_PROCESSES=N` (or `auto` = one per core) runs N gateway processes of the same role sharing
 * one port, so a single start uses every core. Needs external Redis and MySQL
 * (TONGBAN_REDIS_URL / TONGBAN_DATABASE_URL): the embedded servers belong to one process.
 * Returns true in the primary, which only supervises.
 */
export function superviseProcesses(env: NodeJS.ProcessEnv = process.env): boolean {
  const wanted = parseProcesses(env.TONGBAN_PROCESSES);
  if (wanted <= 1 || !cluster.isPrimary) return false;
  if (!env.TONGBAN_DATABASE_URL || !env.TONGBAN_REDIS_URL) {
    process.stderr.write(
      'TONGBAN_PROCESSES > 1 needs TONGBAN_DATABASE_URL and TONGBAN_REDIS_URL; starting one process\n',
    );
    return false;
  }
  let stopping = false;
  const restarts: number[] = [];
  const fork = () => cluster.fork();
  for (let i = 0; i < wanted; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // A crashed process is replaced, but not in a tight loop: a broken config would fail every time.
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0] < now - 60_000) restarts.shift();
    if (restarts.length > wanted * 5) {
      process.stderr.write(`gateway processes keep exiting (last: ${signal ?? code}); giving up\n`);
      process.exit(1);
    }
    process.stderr.write(
      `gateway process ${worker.process.pid} exited (${signal ?? code}); starting another\n`,
    );
    setTimeout(fork, 1_000);
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  }
  return true;
}

function parseProcesses(value: string | undefined): number {
  if (!value) return 1;
  if (value === 'auto') return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    process.stderr.write(`TONGBAN_PROCESSES must be auto or 1–64, got "${value}"; starting one process\n`);
    return 1;
  }
  return n;
}
