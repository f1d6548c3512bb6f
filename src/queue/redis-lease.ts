import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

/**
 * A lease in Redis so that one process of many runs a background pass. The holder renews it on
 * every pass; if the holder dies, the lease lapses after `ttlMs` and another process takes over.
 */
export class RedisLease {
  private readonly owner = randomUUID();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** True when this process holds the lease (now taken or renewed). */
  async acquire(): Promise<boolean> {
    if ((await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX')) === 'OK') return true;
    if ((await this.redis.get(this.key)) !== this.owner) return false;
    await this.redis.pexpire(this.key, this.ttlMs);
    return true;
  }
}
