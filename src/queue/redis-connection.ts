import IORedis, { type Redis } from 'ioredis';

/**
 * BullMQ workers need `maxRetriesPerRequest: null` (blocking commands must wait out a Redis restart
 * instead of failing); queues and other clients keep the default so API calls fail fast.
 */
export function createRedisConnection(
  url: string,
  options: { forWorker?: boolean; name?: string } = {},
): Redis {
  return new IORedis(url, {
    connectionName: options.name,
    maxRetriesPerRequest: options.forWorker ? null : 3,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
}
