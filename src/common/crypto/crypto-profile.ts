import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomFillSync,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';

export type CryptoProfileName = 'international' | 'national';

export const CRYPTO_PROFILE_NAMES: readonly CryptoProfileName[] = ['international', 'national'];

/** Per-purpose subkeys, so no key is ever used by two algorithms; the master secret is not kept. */
export interface DerivedKeys {
  /** A KeyObject: createCipheriv then skips re-importing raw key bytes on every call. */
  readonly encryption: KeyObject;
  /** Separate encrypt-then-MAC key (national only; GCM authenticates with the encryption key). */
  readonly mac: Buffer;
  readonly lookup: Buffer;
}

/**
 * One algorithm suite. `header` is the token prefix `v1.<tag>.<keyId>`: it is authenticated with the
 * payload, so a payload cannot be replayed under another key id, profile or version.
 */
export interface CryptoProfile {
  readonly name: CryptoProfileName;
  /** Written into tokens so a stored value says which algorithms sealed it. */
  readonly tag: string;
  /** Hash for HKDF, lookup HMACs and digests. */
  readonly hash: 'sha256' | 'sm3';
  deriveKeys(secret: Buffer): DerivedKeys;
  seal(keys: DerivedKeys, header: Buffer, plain: Buffer): Buffer;
  /** Returns null when authentication fails (tampered, truncated or sealed with another key). */
  open(keys: DerivedKeys, header: Buffer, payload: Buffer): Buffer | null;
}

// A fixed, public salt is fine for HKDF (RFC 5869 §3.1); the info string separates purposes.
const HKDF_SALT = Buffer.from('tongban/personal-data/v1', 'utf8');

function derive(hash: 'sha256' | 'sm3', secret: Buffer, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync(hash, secret, HKDF_SALT, info, length));
}

// randomBytes() costs several µs per call under OpenSSL 3, so IVs are cut from a CSPRNG-filled pool.
// The returned view is only valid until the next call; callers copy it (Buffer.concat) right away.
const ivPool = Buffer.alloc(4096);
let ivPoolOffset = ivPool.length;

function freshIv(size: number): Buffer {
  if (ivPoolOffset + size > ivPool.length) {
    randomFillSync(ivPool);
    ivPoolOffset = 0;
  }
  const iv = ivPool.subarray(ivPoolOffset, ivPoolOffset + size);
  ivPoolOffset += size;
  return iv;
}

const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;

/** AES-256-GCM; payload = iv(12) | ciphertext | tag(16). */
export const internationalProfile: CryptoProfile = {
  name: 'international',
  tag: 'aesgcm',
  hash: 'sha256',
  deriveKeys(secret) {
    return {
      encryption: createSecretKey(derive('sha256', secret, 'tongban/international/encryption', 32)),
      mac: Buffer.alloc(0),
      lookup: derive('sha256', secret, 'tongban/international/lookup', 32),
    };
  },
  seal(keys, header, plain) {
    const iv = freshIv(GCM_IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', keys.encryption, iv, { authTagLength: GCM_TAG_BYTES });
    cipher.setAAD(header);
    const body = cipher.update(plain);
    const last = cipher.final();
    return Buffer.concat([iv, body, last, cipher.getAuthTag()]);
  },
  open(keys, header, payload) {
    if (payload.length < GCM_IV_BYTES + GCM_TAG_BYTES) return null;
    const iv = payload.subarray(0, GCM_IV_BYTES);
    const tag = payload.subarray(payload.length - GCM_TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', keys.encryption, iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(header);
    decipher.setAuthTag(tag);
    const body = decipher.update(payload.subarray(GCM_IV_BYTES, payload.length - GCM_TAG_BYTES));
    try {
      return Buffer.concat([body, decipher.final()]);
    } catch {
      return null;
    }
  },
};

const SM4_IV_BYTES = 16;
const SM3_MAC_BYTES = 32;

/**
 * 国密: SM4-CTR with encrypt-then-MAC HMAC-SM3 (OpenSSL 3 has no SM4-GCM);
 * payload = iv(16) | ciphertext | HMAC-SM3(macKey, header | iv | ciphertext).
 */
export const nationalProfile: CryptoProfile = {
  name: 'national',
  tag: 'sm4',
  hash: 'sm3',
  deriveKeys(secret) {
    return {
      encryption: createSecretKey(derive('sm3', secret, 'tongban/national/encryption', 16)),
      mac: derive('sm3', secret, 'tongban/national/mac', 32),
      lookup: derive('sm3', secret, 'tongban/national/lookup', 32),
    };
  },
  seal(keys, header, plain) {
    const iv = freshIv(SM4_IV_BYTES);
    const cipher = createCipheriv('sm4-ctr', keys.encryption, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const mac = createHmac('sm3', keys.mac).update(header).update(iv).update(body).digest();
    return Buffer.concat([iv, body, mac]);
  },
  open(keys, header, payload) {
    if (payload.length < SM4_IV_BYTES + SM3_MAC_BYTES) return null;
    const iv = payload.subarray(0, SM4_IV_BYTES);
    const body = payload.subarray(SM4_IV_BYTES, payload.length - SM3_MAC_BYTES);
    const mac = payload.subarray(payload.length - SM3_MAC_BYTES);
    const expected = createHmac('sm3', keys.mac).update(header).update(iv).update(body).digest();
    // Verify before decrypting: CTR is malleable, so unauthenticated bytes must never be released.
    if (!timingSafeEqual(mac, expected)) return null;
    const decipher = createDecipheriv('sm4-ctr', keys.encryption, iv);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  },
};

export const CRYPTO_PROFILES: Readonly<Record<CryptoProfileName, CryptoProfile>> = {
  international: internationalProfile,
  national: nationalProfile,
};
