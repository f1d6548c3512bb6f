import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { archiveName, type FileStore, type StoredFile } from './file-store';
import { tempNameFor } from './file-name';
import type { SftpConnection, SftpSession } from './sftp-session';

/** SSH_FX_NO_SUCH_FILE */
const NO_SUCH_FILE = 2;

const call = <T>(fn: (cb: (error: Error | null | undefined, value: T) => void) => void): Promise<T> =>
  new Promise<T>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));

async function writeAll(sftp: SFTPWrapper, path: string, bytes: Buffer): Promise<void> {
  // wx: a temp name is never shared; ssh2 splits large writes into protocol-sized packets.
  const handle = await call<Buffer>((cb) => sftp.open(path, 'wx', { mode: 0o640 }, cb));
  try {
    if (bytes.length > 0)
      await call<undefined>((cb) =>
        sftp.write(handle, bytes, 0, bytes.length, 0, (error) => cb(error, undefined)),
      );
    await fsync(sftp, handle);
  } finally {
    await call<undefined>((cb) => sftp.close(handle, (error) => cb(error, undefined)));
  }
}

/** fsync@openssh.com where the server offers it (OpenSSH does); others give no durability promise anyway. */
async function fsync(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
  try {
    await call<undefined>((cb) => sftp.ext_openssh_fsync(handle, (error) => cb(error, undefined)));
  } catch (error) {
    if (!/does not support/i.test(String(error))) throw error;
  }
}

/** A department inbox on an SFTP server; every call goes through the shared, reused session. */
export class SftpFileStore implements FileStore {
  readonly kind = 'sftp' as const;

  constructor(private readonly session: SftpSession) {}

  async writeTemp(dir: string, tempName: string, bytes: Buffer, signal?: AbortSignal): Promise<void> {
    const path = posix.join(dir, tempName);
    await this.session.run(
      'write',
      async ({ client, sftp }) => {
        try {
          await writeAll(sftp, path, bytes);
        } catch (error) {
          await client.delete(path, true).catch(() => undefined);
          throw error;
        }
      },
      signal,
    );
  }

  async commit(dir: string, tempName: string, finalName: string): Promise<void> {
    const from = posix.join(dir, tempName);
    const to = posix.join(dir, finalName);
    await this.session.run('rename', async ({ client }) => {
      try {
        // posix-rename@openssh.com replaces the target atomically; plain SFTP rename refuses an existing target.
        await client.posixRename(from, to);
      } catch (error) {
        if (!/does not support/i.test(String(error))) throw error;
        if (await client.exists(to)) await client.delete(to);
        await client.rename(from, to);
      }
    });
  }

  async remove(dir: string, name: string): Promise<boolean> {
    return this.session.run('delete', async ({ client }) => {
      try {
        await client.delete(posix.join(dir, name));
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === NO_SUCH_FILE) return false;
        throw error;
      }
    });
  }

  async list(dir: string): Promise<StoredFile[]> {
    const entries = await this.session.run('list', ({ client }) => client.list(dir));
    return entries
      .filter((e) => e.type === '-')
      .map((e) => ({ name: e.name, size: e.size, mtimeMs: e.modifyTime }));
  }

  async read(dir: string, name: string): Promise<Buffer> {
    const data = await this.session.run('read', ({ client }) => client.get(posix.join(dir, name)));
    if (!Buffer.isBuffer(data)) throw new Error('sftp get returned no buffer');
    return data;
  }

  async archive(dir: string, name: string, toDir: string, toName: string): Promise<string> {
    return this.session.run('archive', async ({ client }) => {
      if ((await client.exists(toDir)) === false) await client.mkdir(toDir, true);
      for (let attempt = 0; ; attempt++) {
        const target = archiveName(toName, attempt);
        if ((await client.exists(posix.join(toDir, target))) !== false) continue;
        // Plain rename: it fails rather than replace a file that appeared meanwhile.
        await client.rename(posix.join(dir, name), posix.join(toDir, target));
        return target;
      }
    });
  }

  async probe(dir: string, signal: AbortSignal): Promise<void> {
    const probeName = tempNameFor('tongban-health');
    await this.session.run(
      'probe',
      async ({ client, sftp }: SftpConnection) => {
        const stat = await client.stat(dir);
        if (!stat.isDirectory) throw new Error(`${dir} is not a directory on the server`);
        await writeAll(sftp, posix.join(dir, probeName), Buffer.alloc(0));
        await client.delete(posix.join(dir, probeName));
      },
      signal,
    );
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
