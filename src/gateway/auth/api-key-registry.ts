import { createHash } from 'node:crypto';
import type { ApiKeyConfig } from '../../config/model/api-key-config';
import type { ApiClient } from './api-client';

/**
 * Keys are configured as SHA-256 hashes. Looking a presented key up by its hash means the secret
 * itself is never compared byte by byte, so response timing says nothing about it.
 */
export class ApiKeyRegistry {
  private readonly byHash = new Map<string, ApiClient>();

  constructor(keys: readonly ApiKeyConfig[]) {
    for (const key of keys) {
      this.byHash.set(key.sha256, { name: key.name, source: key.source, scopes: new Set(key.scopes) });
    }
  }

  resolve(presentedKey: string): ApiClient | undefined {
    return this.byHash.get(createHash('sha256').update(presentedKey, 'utf8').digest('hex'));
  }
}
