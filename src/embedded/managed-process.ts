import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { findFreePort } from './free-port';

export type LogFn = (line: string) => void;

export const INSTALL_COMMAND = 'sudo apt-get install -y redis-server mariadb-server';

/** Debian installs mariadbd in /usr/sbin, which a non-root PATH usually omits. */
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export function resolveBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

export function requireBinary(name: string): string {
  const path = resolveBinary(name);
  if (path === undefined) {
    throw new Error(
      `${name} is not installed (looked in PATH and ${SBIN_DIRS.join(', ')}). Install it with: ${INSTALL_COMMAND}`,
    );
  }
  return path;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The end of a server's log, so a failed start says why instead of just "timed out". */
export function tailFile(path: string, maxLines = 30): string {
  let text: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, 16 * 1024);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return `(no log at ${path})`;
  }
  return `--- last lines of ${path} ---\n${text.trimEnd().split('\n').slice(-maxLines).join('\n')}`;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  /** Receives the child's stdout and stderr (appended). */
  outputFile: string;
}

/**
 * A server child process. Output goes straight to a file (no pipes) and the child is unref'd, so it
 * never keeps the parent alive; if the parent exits without stopping it, it gets SIGTERM.
 */
export class ManagedProcess {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private exitDescription: string | undefined;

  constructor({ name, command, args, outputFile }: SpawnOptions) {
    this.name = name;
    const fd = openSync(outputFile, 'a');
    try {
      this.child = spawn(command, args, { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const onParentExit = (): void => {
      this.child.kill('SIGTERM');
    };
    process.on('exit', onParentExit);
    this.exited = new Promise((resolve) => {
      const finish = (description: string): void => {
        if (this.exitDescription !== undefined) return;
        this.exitDescription = description;
        process.off('exit', onParentExit);
        resolve();
      };
      this.child.once('exit', (code, signal) => {
        finish(signal ? `was killed by ${signal}` : `exited with code ${String(code)}`);
      });
      // Without a pid the spawn itself failed and 'exit' may never come.
      this.child.once('error', (error) => {
        if (this.child.pid === undefined) finish(`could not be started: ${error.message}`);
      });
    });
    this.child.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitDescription === undefined;
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  describeExit(): string {
    return this.exitDescription ?? 'is still running';
  }

  /** True if the process has exited within the timeout (the timer keeps node alive meanwhile). */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    const timer = new AbortController();
    try {
      return await Promise.race([
        this.exited.then(() => true),
        delay(timeoutMs, false, { signal: timer.signal }),
      ]);
    } finally {
      timer.abort();
    }
  }

  /** SIGTERM makes both servers flush and shut down cleanly; SIGKILL only if that hangs. */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    if (!(await this.waitForExit(timeoutMs))) await this.kill();
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    if (!(await this.waitForExit(10_000))) {
      throw new Error(`${this.name} (pid ${String(this.pid)}) did not exit after SIGKILL`);
    }
  }
}

export interface ReadinessOptions {
  timeoutMs: number;
  logFile: string;
  /** Resolves once the server serves requests; rejects (with a reason) while it does not. */
  probe: () => Promise<void>;
}

export async function waitUntilReady(proc: ManagedProcess, options: ReadinessOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (!proc.running) {
      throw new Error(`${proc.name} ${proc.describeExit()} while starting.\n${tailFile(options.logFile)}`);
    }
    try {
      await options.probe();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${proc.name} was not ready within ${options.timeoutMs} ms (last check: ${errorMessage(lastError)}).\n` +
          tailFile(options.logFile),
      );
    }
    await delay(100);
  }
}

/** Runs a one-shot command (such as mariadb-install-db) and fails with its output if it fails. */
export async function runToCompletion(options: SpawnOptions, timeoutMs: number): Promise<void> {
  const proc = new ManagedProcess(options);
  if (!(await proc.waitForExit(timeoutMs))) {
    await proc.kill();
    throw new Error(
      `${options.name} did not finish within ${timeoutMs} ms.\n${tailFile(options.outputFile)}`,
    );
  }
  if (proc.exitCode !== 0) {
    throw new Error(`${options.name} ${proc.describeExit()}.\n${tailFile(options.outputFile)}`);
  }
}

const PORT_CLASH = /address already in use|EADDRINUSE|bind on TCP\/IP port/i;

/**
 * Launches on the given port, or on a free one. A free port can be taken by someone else before the
 * server binds it, so that case gets a couple of retries on fresh ports.
 */
export async function launchOnPort(
  port: number | undefined,
  launch: (port: number) => Promise<void>,
): Promise<number> {
  if (port !== undefined) {
    await launch(port);
    return port;
  }
  for (let attempt = 1; ; attempt++) {
    const candidate = await findFreePort();
    try {
      await launch(candidate);
      return candidate;
    } catch (error) {
      if (attempt >= 3 || !PORT_CLASH.test(errorMessage(error))) throw error;
    }
  }
}
