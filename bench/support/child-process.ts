import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A child of the bench (gateway, simulator, reference server) with its output in a log file. */
export class BenchChild {
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    const log = createWriteStream(logFile, { flags: 'a' });
    log.on('error', () => undefined);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** CPU seconds (user + system) the process has used so far; NaN where /proc is not there. */
  cpuSeconds(): number {
    return processCpuSeconds(this.child.pid);
  }

  /** The first IPC message of a forked child: its ready payload (ports, URLs). */
  ready<T>(timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} not ready after ${timeoutMs} ms; see ${this.logFile}`)),
        timeoutMs,
      );
      this.child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message as T);
      });
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(`${this.name} exited with ${String(code)} before it was ready; see ${this.logFile}`),
        );
      });
    });
  }

  /** Asks over IPC and waits for the answer (children answer every message with one message). */
  ask<T>(message: unknown, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not answer`)), timeoutMs);
      this.child.once('message', (answer) => {
        clearTimeout(timer);
        resolve(answer as T);
      });
      this.child.send(message as object);
    });
  }

  /** SIGTERM (graceful shutdown hooks run), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    await Promise.race([this.exited, sleep(graceMs)]);
    if (this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a Linux process, from /proc/<pid>/stat (fields 14 and 15). */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds several processes (children or pids) use from now until `stop()`. */
export function cpuMeter(processes: Array<BenchChild | number | undefined>): { stop(): number } {
  const read = (p: BenchChild | number | undefined) =>
    p instanceof BenchChild ? p.cpuSeconds() : processCpuSeconds(p);
  const at = processes.map(read);
  return { stop: () => processes.reduce((sum: number, p, i) => sum + read(p) - at[i], 0) };
}

/** A TypeScript entry of bench/, run through ts-node (transpile only), with an IPC channel. */
export function forkTs(
  name: string,
  file: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
  args: string[] = [],
): BenchChild {
  const child = fork(file, args, {
    env: { ...process.env, ...env },
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new BenchChild(name, child, logFile);
}

/** A built JavaScript entry (the gateway's dist/main.js). */
export function spawnNode(name: string, file: string, env: NodeJS.ProcessEnv, logFile: string): BenchChild {
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new BenchChild(name, child, logFile);
}
