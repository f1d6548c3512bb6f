import { Logger, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedisConnection } from '../queue/redis-connection';
import type { GatewayRuntime } from './gateway-runtime';
import { REDIS, RUNTIME } from './tokens';

/** One shared connection for queues and locks; warns when Redis could evict queue data. */
export const redisProvider: Provider = {
  provide: REDIS,
  inject: [RUNTIME],
  useFactory: async (runtime: GatewayRuntime): Promise<Redis> => {
    const redis = createRedisConnection(runtime.redisUrl, { name: 'tongban' });
    const policy = await redis.config('GET', 'maxmemory-policy').catch(() => undefined);
    const value = Array.isArray(policy) ? String(policy[1]) : undefined;
    if (value && value !== 'noeviction') {
      new Logger('Redis').warn(
        `maxmemory-policy is ${value}: Redis may evict queued jobs. Set "maxmemory-policy noeviction".`,
      );
    }
    return redis;
  },
};
