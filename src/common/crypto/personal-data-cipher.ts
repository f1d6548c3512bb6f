import { createHash, createHmac } from 'node:crypto';
import {
  CRYPTO_PROFILE_NAMES,
  CRYPTO_PROFILES,
  type CryptoProfile,
  type CryptoProfileName,
  type DerivedKeys,
} from './crypto-profile';

/** Master secrets by key id plus the id new data is sealed with. */
export interface KeyRing {
  keys: Record<string, Buffer>;
  currentKeyId: string;
}

export interface PersonalDataCipherOptions extends KeyRing {
  profile: CryptoProfileName;
}

/** Bad keys or settings; messages name the setting and never contain secrets. */
export class CryptoConfigError extends Error {
  override readonly name = 'CryptoConfigError';
}

/** A token that cannot be opened; messages never contain plaintext or payload bytes. */
export class PersonalDataCryptoError extends Error {
  override readonly name = 'PersonalDataCryptoError';
}

export const MIN_SECRET_BYTES = 32;
const TOKEN_VERSION = 'v1';
// Key ids are embedded in tokens and lookup hashes, so they must not contain '.', ':' or ','.
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

interface KeySlot {
  readonly id: string;
  readonly keys: DerivedKeys;
  /** `v1.<tag>.<keyId>`, authenticated together with the payload. */
  readonly header: Buffer;
  readonly prefix: string;
}

/**
 * Field-level encryption for personal data. Tokens are `v1.<profile-tag>.<keyId>.<base64url payload>`,
 * so each stored value names its key: adding a new current key rotates without re-encrypting old rows.
 */
export class PersonalDataCipher {
  readonly profile: CryptoProfileName;
  readonly currentKeyId: string;
  /** Configured key ids, current first. */
  readonly keyIds: readonly string[];
  private readonly suite: CryptoProfile;
  private readonly slots = new Map<string, KeySlot>();
  private readonly current: KeySlot;

  constructor(options: PersonalDataCipherOptions) {
    const suite = CRYPTO_PROFILES[options.profile];
    if (suite === undefined) {
      throw new CryptoConfigError(`Unknown crypto profile "${String(options.profile)}"`);
    }
    const problems = keyRingProblems(options);
    if (problems.length > 0) throw new CryptoConfigError(`Invalid data keys: ${problems.join('; ')}`);
    this.suite = suite;
    this.profile = suite.name;
    for (const [id, secret] of Object.entries(options.keys)) {
      const header = `${TOKEN_VERSION}.${suite.tag}.${id}`;
      this.slots.set(id, {
        id,
        keys: suite.deriveKeys(secret),
        header: Buffer.from(header),
        prefix: `${header}.`,
      });
    }
    this.current = this.slots.get(options.currentKeyId) as KeySlot;
    this.currentKeyId = this.current.id;
    this.keyIds = [this.current.id, ...[...this.slots.keys()].filter((id) => id !== this.current.id)];
  }

  /**
   * Reads TONGBAN_CRYPTO_PROFILE, TONGBAN_DATA_KEYS (`keyId:base64secret,...`) and TONGBAN_DATA_KEY_ID.
   * `fallback` supplies keys (e.g. demo keys) only when TONGBAN_DATA_KEYS is unset; it is called lazily.
   */
  static fromEnvironment(env: NodeJS.ProcessEnv, fallback?: KeyRing | (() => KeyRing)): PersonalDataCipher {
    const problems: string[] = [];
    const profile = parseProfile(env.TONGBAN_CRYPTO_PROFILE, problems);
    const rawKeys = env.TONGBAN_DATA_KEYS?.trim() ?? '';
    const rawCurrent = env.TONGBAN_DATA_KEY_ID?.trim() ?? '';
    let ring: KeyRing | undefined;
    if (rawKeys !== '') {
      ring = parseKeyList(rawKeys, rawCurrent, problems);
    } else if (rawCurrent !== '') {
      problems.push('TONGBAN_DATA_KEY_ID is set but TONGBAN_DATA_KEYS is empty; set both or neither');
    } else if (fallback === undefined) {
      problems.push(
        'TONGBAN_DATA_KEYS is not set; expected comma-separated keyId:base64secret entries, ' +
          `each secret at least ${MIN_SECRET_BYTES} bytes (e.g. k1:$(openssl rand -base64 32))`,
      );
    } else if (problems.length === 0) {
      ring = typeof fallback === 'function' ? fallback() : fallback;
    }
    if (problems.length > 0 || ring === undefined || profile === undefined) {
      throw new CryptoConfigError(`Invalid crypto environment:\n  - ${problems.join('\n  - ')}`);
    }
    return new PersonalDataCipher({ profile, ...ring });
  }

  encrypt(plain: string): string {
    const slot = this.current;
    return (
      slot.prefix + this.suite.seal(slot.keys, slot.header, Buffer.from(plain, 'utf8')).toString('base64url')
    );
  }

  decrypt(token: string): string {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== TOKEN_VERSION) {
      throw new PersonalDataCryptoError(`Not a ${TOKEN_VERSION} personal-data token`);
    }
    const [, tag, keyId, encoded] = parts;
    if (tag !== this.suite.tag) {
      const sealedWith = CRYPTO_PROFILE_NAMES.find((name) => CRYPTO_PROFILES[name].tag === tag);
      throw new PersonalDataCryptoError(
        `Token was sealed with ${sealedWith ? `the ${sealedWith} profile` : 'an unknown profile'}, ` +
          `but this cipher uses the ${this.profile} profile`,
      );
    }
    const slot = this.slots.get(keyId);
    if (slot === undefined) {
      throw new PersonalDataCryptoError(
        `Token uses key id "${keyId.slice(0, 32)}", which is not configured (configured: ${this.keyIds.join(', ')})`,
      );
    }
    if (!isCanonicalBase64Url(encoded))
      throw new PersonalDataCryptoError('Token payload is not valid base64url');
    const plain = this.suite.open(slot.keys, slot.header, Buffer.from(encoded, 'base64url'));
    if (plain === null) {
      throw new PersonalDataCryptoError(
        `Token failed authentication (tampered or truncated; key id "${keyId}")`,
      );
    }
    return plain.toString('utf8');
  }

  /** Keyed hash with the current key, for equality search without storing the value; `<keyId>:<hex>`. */
  lookupHash(value: string): string {
    return this.lookupWith(this.current, value);
  }

  /** One lookup hash per configured key (current first), to find rows written before a rotation. */
  lookupHashes(value: string): string[] {
    return this.keyIds.map((id) => this.lookupWith(this.slots.get(id) as KeySlot, value));
  }

  /** Unkeyed hex digest (SHA-256 or SM3) for evidence chains. */
  digest(data: Buffer | string): string {
    return createHash(this.suite.hash).update(data).digest('hex');
  }

  private lookupWith(slot: KeySlot, value: string): string {
    return `${slot.id}:${createHmac(this.suite.hash, slot.keys.lookup).update(value, 'utf8').digest('hex')}`;
  }
}

function keyRingProblems(ring: KeyRing): string[] {
  const problems: string[] = [];
  const ids = Object.keys(ring.keys);
  if (ids.length === 0) problems.push('no keys configured');
  for (const id of ids) {
    const secret = ring.keys[id];
    if (!KEY_ID_PATTERN.test(id))
      problems.push(`key id "${id.slice(0, 40)}" must match ${KEY_ID_PATTERN.source}`);
    if (!Buffer.isBuffer(secret) || secret.length < MIN_SECRET_BYTES) {
      const size = Buffer.isBuffer(secret) ? `${secret.length} bytes` : 'not a Buffer';
      problems.push(`secret of key "${id}" is ${size}, need at least ${MIN_SECRET_BYTES} bytes`);
    }
  }
  if (!Object.prototype.hasOwnProperty.call(ring.keys, ring.currentKeyId)) {
    problems.push(`current key id "${ring.currentKeyId}" is not among the keys (${ids.join(', ')})`);
  }
  return problems;
}

function parseProfile(raw: string | undefined, problems: string[]): CryptoProfileName | undefined {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '') return 'international';
  const profile = CRYPTO_PROFILE_NAMES.find((name) => name === value);
  if (profile === undefined) {
    problems.push(`TONGBAN_CRYPTO_PROFILE must be one of ${CRYPTO_PROFILE_NAMES.join(', ')}, got "${raw}"`);
  }
  return profile;
}

function parseKeyList(raw: string, rawCurrent: string, problems: string[]): KeyRing | undefined {
  // Null prototype: a key id such as "__proto__" must stay an ordinary entry.
  const keys = Object.create(null) as Record<string, Buffer>;
  const before = problems.length;
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    // Never echo an entry: it contains the secret.
    const where = `TONGBAN_DATA_KEYS entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon <= 0) {
      problems.push(`${where} must look like keyId:base64secret`);
      return;
    }
    const id = entry.slice(0, colon).trim();
    if (!KEY_ID_PATTERN.test(id)) {
      problems.push(`${where}: key id must be 1-32 characters of A-Z a-z 0-9 _ -`);
      return;
    }
    if (Object.prototype.hasOwnProperty.call(keys, id)) {
      problems.push(`${where}: key id "${id}" is listed twice`);
      return;
    }
    const secret = decodeBase64Strict(entry.slice(colon + 1).trim());
    if (secret === undefined) {
      problems.push(`${where} (key "${id}"): secret is not valid base64`);
    } else if (secret.length < MIN_SECRET_BYTES) {
      problems.push(
        `${where} (key "${id}"): secret is ${secret.length} bytes, need at least ${MIN_SECRET_BYTES} ` +
          '(generate one with: openssl rand -base64 32)',
      );
    } else {
      keys[id] = secret;
    }
  });
  if (problems.length > before) return undefined;
  const ids = Object.keys(keys);
  const currentKeyId = rawCurrent !== '' ? rawCurrent : ids[ids.length - 1];
  if (!ids.includes(currentKeyId)) {
    problems.push(
      `TONGBAN_DATA_KEY_ID "${currentKeyId}" is not listed in TONGBAN_DATA_KEYS (${ids.join(', ')})`,
    );
    return undefined;
  }
  return { keys, currentKeyId };
}

/** Standard or URL-safe base64, padding optional; rejects anything Buffer.from would silently skip. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const unpadded = text.replace(/={1,2}$/, '');
  if (unpadded === '' || !BASE64URL_PATTERN.test(unpadded.replace(/[+/]/g, '-'))) return undefined;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return undefined;
  const normalized = unpadded.replace(/\+/g, '-').replace(/\//g, '_');
  return isCanonicalBase64Url(normalized) ? Buffer.from(normalized, 'base64url') : undefined;
}

/** Unpadded base64url whose unused trailing bits are zero, so every token has exactly one spelling. */
function isCanonicalBase64Url(text: string): boolean {
  const rest = text.length % 4;
  if (rest === 1 || !BASE64URL_PATTERN.test(text)) return false;
  if (rest === 0) return true;
  const lastValue = BASE64URL_ALPHABET.indexOf(text[text.length - 1]);
  return lastValue % (rest === 2 ? 16 : 4) === 0;
}
