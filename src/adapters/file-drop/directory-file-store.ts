import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { archiveName, type FileStore, type StoredFile } from './file-store';

// Not `instanceof Error`: errors from node internals come from another realm under jest's vm.
const isErrno = (error: unknown, code: string): boolean =>
  typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;

/** A department inbox on a local or mounted file system. */
export class DirectoryFileStore implements FileStore {
  readonly kind = 'directory' as const;

  async writeTemp(dir: string, tempName: string, bytes: Buffer, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    // wx: a temp name is never shared; an existing file means something else is going on.
    const handle = await fs.open(join(dir, tempName), 'wx', 0o640);
    try {
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
      // The data must be on disk before the rename makes it visible, or a power cut leaves an empty file.
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fs.rm(join(dir, tempName), { force: true });
      throw error;
    }
    await handle.close();
  }

  async commit(dir: string, tempName: string, finalName: string): Promise<void> {
    await fs.rename(join(dir, tempName), join(dir, finalName));
    await syncDirectory(dir);
  }

  async remove(dir: string, name: string): Promise<boolean> {
    try {
      await fs.unlink(join(dir, name));
      return true;
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return false;
      throw error;
    }
  }

  async list(dir: string): Promise<StoredFile[]> {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    const files: StoredFile[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      try {
        const stat = await fs.stat(join(dir, entry.name));
        files.push({ name: entry.name, size: stat.size, mtimeMs: stat.mtimeMs });
      } catch (error) {
        if (!isErrno(error, 'ENOENT')) throw error; // gone between readdir and stat
      }
    }
    return files;
  }

  async read(dir: string, name: string): Promise<Buffer> {
    return fs.readFile(join(dir, name));
  }

  async archive(dir: string, name: string, toDir: string, toName: string): Promise<string> {
    await fs.mkdir(toDir, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      const target = archiveName(toName, attempt);
      try {
        await linkOrCopy(join(dir, name), join(toDir, target));
      } catch (error) {
        if (isErrno(error, 'EEXIST')) continue;
        throw error;
      }
      await fs.unlink(join(dir, name));
      await syncDirectory(toDir);
      await syncDirectory(dir);
      return target;
    }
  }

  async probe(dir: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw new Error(`${dir} is not a directory`);
    await fs.access(dir, constants.W_OK | constants.X_OK);
  }

  async close(): Promise<void> {}
}

/** link (or an exclusive copy across file systems) never replaces an archived file of the same name, unlike rename. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (error) {
    if (!isErrno(error, 'EXDEV') && !isErrno(error, 'EPERM')) throw error;
    await fs.copyFile(from, to, constants.COPYFILE_EXCL);
  }
}

/** Makes a rename durable: the directory entry lives in the directory's own blocks. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
