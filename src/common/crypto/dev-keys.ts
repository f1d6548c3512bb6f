import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CryptoConfigError,
  decodeBase64Strict,
  MIN_SECRET_BYTES,
  type KeyRing,
} from './personal-data-cipher';

const FILE_NAME = 'data-keys.json';
const DEV_KEY_ID = 'dev1';

interface DevKeyFile {
  note?: string;
  currentKeyId: string;
  keys: Record<string, string>;
}

/**
 * Demo-only key ring: `<dir>/data-keys.json` (0600) with one random key, created on first use.
 * Production sets TONGBAN_DATA_KEYS instead; losing this file makes the demo's stored data unreadable.
 */
export function loadOrCreateDevKeys(dir: string): KeyRing {
  const file = join(dir, FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    createKeyFile(dir, file);
    text = readFileSync(file, 'utf8');
  }
  return parseKeyFile(file, text);
}

function createKeyFile(dir: string, file: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const content: DevKeyFile = {
    note: 'Development-only data keys for the embedded demo. Never use in production (set TONGBAN_DATA_KEYS).',
    currentKeyId: DEV_KEY_ID,
    keys: { [DEV_KEY_ID]: randomBytes(32).toString('base64') },
  };
  const json = `${JSON.stringify(content, null, 2)}\n`;
  // Write a private temp file, then link it into place: a concurrent starter either wins or reads the
  // winner's complete file, so two processes never end up with different keys.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, json, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') {
      writeKeyFileExclusive(file, json); // filesystems without hard links
    } else if (code !== 'EEXIST') {
      throw error;
    }
  } finally {
    unlinkSync(temp);
  }
}

function writeKeyFileExclusive(file: string, json: string): void {
  try {
    writeFileSync(file, json, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function parseKeyFile(file: string, text: string): KeyRing {
  const fail = (reason: string): never => {
    throw new CryptoConfigError(`${file}: ${reason} (delete it to let the demo create a new one)`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('not valid JSON');
  }
  const candidate = parsed as Partial<DevKeyFile> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.keys !== 'object' ||
    !candidate.keys
  ) {
    return fail('expected an object with "currentKeyId" and "keys"');
  }
  const keys = Object.create(null) as Record<string, Buffer>;
  for (const [id, encoded] of Object.entries(candidate.keys)) {
    const secret = typeof encoded === 'string' ? decodeBase64Strict(encoded) : undefined;
    if (secret === undefined) return fail(`key "${id}" is not a base64 string`);
    if (secret.length < MIN_SECRET_BYTES)
      return fail(`key "${id}" is shorter than ${MIN_SECRET_BYTES} bytes`);
    keys[id] = secret;
  }
  const currentKeyId = candidate.currentKeyId;
  if (typeof currentKeyId !== 'string' || !Object.prototype.hasOwnProperty.call(keys, currentKeyId)) {
    return fail('"currentKeyId" does not name one of the keys');
  }
  return { keys, currentKeyId };
}
