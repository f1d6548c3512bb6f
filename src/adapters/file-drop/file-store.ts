export interface StoredFile {
  name: string;
  size: number;
  mtimeMs: number;
}

/**
 * Where files go and results come from: a local directory or an SFTP server. Names are single path
 * segments (checked by the caller); directories are the configured paths.
 */
export interface FileStore {
  readonly kind: 'directory' | 'sftp';
  /** Writes the bytes under a temporary name in dir and flushes them to stable storage. */
  writeTemp(dir: string, tempName: string, bytes: Buffer, signal?: AbortSignal): Promise<void>;
  /** Atomically renames a temp file onto its final name (replacing an older file of that name). */
  commit(dir: string, tempName: string, finalName: string): Promise<void>;
  /** Deletes a file; false when there was none (for a temp file: it was renamed, or never written). */
  remove(dir: string, name: string): Promise<boolean>;
  /** Regular files only. */
  list(dir: string): Promise<StoredFile[]>;
  read(dir: string, name: string): Promise<Buffer>;
  /** Moves a file into another directory (created when missing), never overwriting: returns the name used. */
  archive(dir: string, name: string, toDir: string, toName: string): Promise<string>;
  /** Throws unless dir is reachable and writable. */
  probe(dir: string, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A name for the archive that does not clash with an earlier file of the same name. */
export function archiveName(name: string, attempt: number): string {
  return attempt === 0 ? name : `${name}.${Date.now()}-${attempt}`;
}
