import { createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CryptoProfileName } from '../../src/common/crypto/crypto-profile';
import { loadOrCreateDevKeys } from '../../src/common/crypto/dev-keys';
import {
  CryptoConfigError,
  PersonalDataCipher,
  PersonalDataCryptoError,
} from '../../src/common/crypto/personal-data-cipher';

const secret1 = Buffer.alloc(32, 1);
const secret2 = Buffer.alloc(48, 2);
const profiles: CryptoProfileName[] = ['international', 'national'];

function cipher(
  profile: CryptoProfileName,
  keys: Record<string, Buffer> = { k1: secret1 },
  currentKeyId = 'k1',
) {
  return new PersonalDataCipher({ profile, keys, currentKeyId });
}

/** Flips one bit of the decoded payload at `index` (negative counts from the end). */
function tamper(token: string, index: number): string {
  const parts = token.split('.');
  const payload = Buffer.from(parts[3], 'base64url');
  payload[(index + payload.length) % payload.length] ^= 0x01;
  parts[3] = payload.toString('base64url');
  return parts.join('.');
}

describe.each(profiles)('PersonalDataCipher (%s profile)', (profile) => {
  const subject = cipher(profile);

  it.each(['510104199001011234', '张三', '𠮷野家 阿依古丽·买买提', '', 'x'.repeat(5000)])(
    'round-trips %j',
    (plain) => {
      const token = subject.encrypt(plain);
      expect(token).toMatch(
        new RegExp(`^v1\\.${profile === 'national' ? 'sm4' : 'aesgcm'}\\.k1\\.[A-Za-z0-9_-]+$`),
      );
      expect(token).not.toContain(plain || '\u0000');
      expect(subject.decrypt(token)).toBe(plain);
    },
  );

  it('uses a random IV, so equal plaintexts give different tokens', () => {
    expect(subject.encrypt('张三')).not.toBe(subject.encrypt('张三'));
  });

  it.each([0, 14, -1])('rejects a token with a bit flipped at payload byte %d', (index) => {
    const token = subject.encrypt('510104199001011234');
    expect(() => subject.decrypt(tamper(token, index))).toThrow(PersonalDataCryptoError);
    expect(() => subject.decrypt(tamper(token, index))).toThrow(/failed authentication/);
  });

  it('rejects truncated, re-labelled and non-canonical tokens without echoing plaintext', () => {
    const token = subject.encrypt('510104199001011234');
    const [v, tag, , payload] = token.split('.');
    const attempts = [
      token.slice(0, 20),
      `${v}.${tag}.k1.${payload.slice(0, 10)}`,
      `${v}.${tag}.k9.${payload}`,
      `v2.${tag}.k1.${payload}`,
      `${v}.${tag === 'sm4' ? 'aesgcm' : 'sm4'}.k1.${payload}`,
      `${v}.${tag}.k1.${payload}!`,
    ];
    for (const attempt of attempts) {
      expect(() => subject.decrypt(attempt)).toThrow(PersonalDataCryptoError);
      try {
        subject.decrypt(attempt);
      } catch (error) {
        expect((error as Error).message).not.toContain('510104199001011234');
      }
    }
    expect(() => subject.decrypt(`${v}.${tag}.k9.${payload}`)).toThrow(/key id "k9".*not configured/);
    // The same bytes under another key id fail: the header is authenticated.
    const twoKeys = cipher(profile, { k1: secret1, k2: secret1 }, 'k1');
    expect(() => twoKeys.decrypt(`${v}.${tag}.k2.${payload}`)).toThrow(/failed authentication/);
  });

  it('rejects base64url spellings that decode to the same bytes', () => {
    const token = subject.encrypt('abcd');
    const payload = token.split('.')[3];
    expect(payload.length % 4).not.toBe(0);
    const last = payload[payload.length - 1];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) + 1];
    const altered = token.slice(0, -1) + sibling;
    expect(Buffer.from(altered.split('.')[3], 'base64url')).toEqual(Buffer.from(payload, 'base64url'));
    expect(() => subject.decrypt(altered)).toThrow(PersonalDataCryptoError);
  });

  it('keeps old tokens readable after rotating to a new current key', () => {
    const before = cipher(profile, { k1: secret1 }, 'k1');
    const oldToken = before.encrypt('510104199001011234');
    const after = cipher(profile, { k1: secret1, k2: secret2 }, 'k2');
    expect(after.decrypt(oldToken)).toBe('510104199001011234');
    expect(after.encrypt('x')).toMatch(/^v1\.[a-z0-9]+\.k2\./);
    expect(after.keyIds).toEqual(['k2', 'k1']);

    const oldHash = before.lookupHash('510104199001011234');
    expect(oldHash).toMatch(/^k1:[0-9a-f]{64}$/);
    expect(before.lookupHash('510104199001011234')).toBe(oldHash);
    const newHash = after.lookupHash('510104199001011234');
    expect(newHash).toMatch(/^k2:[0-9a-f]{64}$/);
    expect(newHash.slice(3)).not.toBe(oldHash.slice(3));
    expect(after.lookupHashes('510104199001011234')).toEqual([newHash, oldHash]);
    expect(after.lookupHash('510104199001011235')).not.toBe(newHash);
  });

  it('digests with the profile hash', () => {
    const algorithm = profile === 'national' ? 'sm3' : 'sha256';
    expect(subject.digest('evidence')).toBe(createHash(algorithm).update('evidence').digest('hex'));
    expect(subject.digest(Buffer.from('evidence'))).toBe(subject.digest('evidence'));
  });
});

describe('algorithms, checked independently of the implementation', () => {
  const salt = Buffer.from('tongban/personal-data/v1');
  const derive = (hash: string, info: string, length: number) =>
    Buffer.from(hkdfSync(hash, secret1, salt, info, length));

  it('national tokens are SM4-CTR with an HMAC-SM3 over header|iv|ciphertext', () => {
    const plain = '张三 510104199001011234 𠮷';
    const token = cipher('national').encrypt(plain);
    const payload = Buffer.from(token.split('.')[3], 'base64url');
    const iv = payload.subarray(0, 16);
    const body = payload.subarray(16, payload.length - 32);
    const mac = payload.subarray(payload.length - 32);

    const encryptionKey = derive('sm3', 'tongban/national/encryption', 16);
    const decipher = createDecipheriv('sm4-ctr', encryptionKey, iv);
    expect(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')).toBe(plain);

    const macKey = derive('sm3', 'tongban/national/mac', 32);
    const expectedMac = createHmac('sm3', macKey).update('v1.sm4.k1').update(iv).update(body).digest();
    expect(mac).toEqual(expectedMac);
    expect(macKey).not.toEqual(Buffer.concat([encryptionKey, encryptionKey]));

    const lookupKey = derive('sm3', 'tongban/national/lookup', 32);
    expect(cipher('national').lookupHash('x')).toBe(
      `k1:${createHmac('sm3', lookupKey).update('x').digest('hex')}`,
    );
  });

  it('international tokens are AES-256-GCM with the header as AAD', () => {
    const token = cipher('international').encrypt('510104199001011234');
    const payload = Buffer.from(token.split('.')[3], 'base64url');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      derive('sha256', 'tongban/international/encryption', 32),
      payload.subarray(0, 12),
    );
    decipher.setAAD(Buffer.from('v1.aesgcm.k1'));
    decipher.setAuthTag(payload.subarray(payload.length - 16));
    const plain = Buffer.concat([
      decipher.update(payload.subarray(12, payload.length - 16)),
      decipher.final(),
    ]);
    expect(plain.toString('utf8')).toBe('510104199001011234');

    const lookupKey = derive('sha256', 'tongban/international/lookup', 32);
    expect(cipher('international').lookupHash('x')).toBe(
      `k1:${createHmac('sha256', lookupKey).update('x').digest('hex')}`,
    );
  });

  it('the same secret yields unrelated keys in the two profiles', () => {
    expect(cipher('national').lookupHash('x')).not.toBe(cipher('international').lookupHash('x'));
  });
});

describe('PersonalDataCipher construction', () => {
  it('rejects short secrets, bad key ids and a missing current key', () => {
    expect(() => cipher('national', { k1: Buffer.alloc(16) })).toThrow(/need at least 32 bytes/);
    expect(() => cipher('national', { 'k.1': secret1 }, 'k.1')).toThrow(/key id "k\.1"/);
    expect(() => cipher('national', { k1: secret1 }, 'k2')).toThrow(/current key id "k2"/);
    expect(() => cipher('national', {}, 'k1')).toThrow(CryptoConfigError);
  });
});

describe('PersonalDataCipher.fromEnvironment', () => {
  const b64 = (buffer: Buffer) => buffer.toString('base64');

  it('reads profile, keys and current key id; the last listed key is current by default', () => {
    const env = {
      TONGBAN_CRYPTO_PROFILE: 'national',
      TONGBAN_DATA_KEYS: `k1:${b64(secret1)}, k2:${b64(secret2)}`,
    };
    const fromEnv = PersonalDataCipher.fromEnvironment(env);
    expect(fromEnv.profile).toBe('national');
    expect(fromEnv.currentKeyId).toBe('k2');
    expect(cipher('national', { k1: secret1, k2: secret2 }, 'k2').decrypt(fromEnv.encrypt('a'))).toBe('a');

    const pinned = PersonalDataCipher.fromEnvironment({ ...env, TONGBAN_DATA_KEY_ID: 'k1' });
    expect(pinned.currentKeyId).toBe('k1');
  });

  it('defaults to the international profile and accepts URL-safe base64', () => {
    const urlSafe = Buffer.alloc(32, 0xfb).toString('base64url');
    const fromEnv = PersonalDataCipher.fromEnvironment({ TONGBAN_DATA_KEYS: `k1:${urlSafe}` });
    expect(fromEnv.profile).toBe('international');
    expect(fromEnv.lookupHash('x')).toBe(
      cipher('international', { k1: Buffer.alloc(32, 0xfb) }).lookupHash('x'),
    );
  });

  it.each([
    [
      { TONGBAN_CRYPTO_PROFILE: 'gm', TONGBAN_DATA_KEYS: `k1:${b64(secret1)}` },
      /TONGBAN_CRYPTO_PROFILE must be one of/,
    ],
    [
      { TONGBAN_DATA_KEYS: 'k1:not*base64' },
      /TONGBAN_DATA_KEYS entry 1 \(key "k1"\): secret is not valid base64/,
    ],
    [
      { TONGBAN_DATA_KEYS: `k1:${b64(Buffer.alloc(16))}` },
      /entry 1 \(key "k1"\): secret is 16 bytes, need at least 32/,
    ],
    [{ TONGBAN_DATA_KEYS: b64(secret1) }, /TONGBAN_DATA_KEYS entry 1 must look like keyId:base64secret/],
    [{ TONGBAN_DATA_KEYS: `k1:${b64(secret1)},k1:${b64(secret2)}` }, /key id "k1" is listed twice/],
    [
      { TONGBAN_DATA_KEYS: `k1:${b64(secret1)}`, TONGBAN_DATA_KEY_ID: 'k3' },
      /TONGBAN_DATA_KEY_ID "k3" is not listed/,
    ],
    [{}, /TONGBAN_DATA_KEYS is not set/],
    [{ TONGBAN_DATA_KEY_ID: 'k1' }, /TONGBAN_DATA_KEY_ID is set but TONGBAN_DATA_KEYS is empty/],
  ])('explains a bad environment %#', (env, message) => {
    expect(() => PersonalDataCipher.fromEnvironment(env)).toThrow(CryptoConfigError);
    expect(() => PersonalDataCipher.fromEnvironment(env)).toThrow(message);
  });

  it('never echoes a secret in an error', () => {
    const short = b64(randomBytes(20));
    expect(() => PersonalDataCipher.fromEnvironment({ TONGBAN_DATA_KEYS: `k1:${short}` })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(short) }),
    );
  });

  it('uses the fallback only when TONGBAN_DATA_KEYS is unset', () => {
    const fallback = jest.fn(() => ({ keys: { dev1: secret1 }, currentKeyId: 'dev1' }));
    expect(PersonalDataCipher.fromEnvironment({}, fallback).currentKeyId).toBe('dev1');
    expect(
      PersonalDataCipher.fromEnvironment({ TONGBAN_DATA_KEYS: `k1:${b64(secret1)}` }, fallback).currentKeyId,
    ).toBe('k1');
    expect(fallback).toHaveBeenCalledTimes(1);
  });
});

describe('loadOrCreateDevKeys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a private key file once and reads it afterwards', () => {
    const target = join(dir, 'nested');
    const first = loadOrCreateDevKeys(target);
    const file = join(target, 'data-keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.keys[first.currentKeyId]).toHaveLength(32);
    expect(loadOrCreateDevKeys(target)).toEqual(first);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ currentKeyId: first.currentKeyId });

    const demo = PersonalDataCipher.fromEnvironment({}, () => loadOrCreateDevKeys(target));
    expect(demo.decrypt(demo.encrypt('张三'))).toBe('张三');
  });
});
