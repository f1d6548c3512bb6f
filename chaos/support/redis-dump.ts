import { appendFileSync } from 'node:fs';
import IORedis from 'ioredis';

/** Under the run directory: Redis as it was just before the FLUSHALL scenario. */
export const REDIS_BEFORE_FLUSH = 'redis-before-flush.jsonl';

/**
 * Every key of a Redis server with its value read by type (SCAN, then GET / HGETALL / LRANGE /
 * SMEMBERS / ZRANGE / XRANGE), in batches: `visit` gets the key and its value as JSON text.
 */
export async function dumpRedis(url: string, visit: (key: string, value: string) => void): Promise<number> {
  const redis = new IORedis(url);
  let keys = 0;
  try {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      const types = (await redis.pipeline(batch.map((k) => ['type', k])).exec()) ?? [];
      const reads = redis.pipeline();
      batch.forEach((key, i) => {
        switch (String(types[i]?.[1])) {
          case 'string':
            return void reads.get(key);
          case 'hash':
            return void reads.hgetall(key);
          case 'list':
            return void reads.lrange(key, 0, -1);
          case 'set':
            return void reads.smembers(key);
          case 'zset':
            return void reads.zrange(key, 0, -1, 'WITHSCORES');
          case 'stream':
            return void reads.xrange(key, '-', '+');
          default:
            return void reads.exists(key);
        }
      });
      const values = (await reads.exec()) ?? [];
      batch.forEach((key, i) => visit(key, JSON.stringify(values[i]?.[1] ?? null)));
      keys += batch.length;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return keys;
}

/** Keeps what Redis holds before a scenario wipes it, as JSON lines, for the personal-data scan. */
export async function saveRedis(url: string, file: string): Promise<number> {
  let lines: string[] = [];
  const keys = await dumpRedis(url, (key, value) => {
    lines.push(JSON.stringify([key, value]));
    if (lines.length >= 1_000) {
      appendFileSync(file, `${lines.join('\n')}\n`);
      lines = [];
    }
  });
  if (lines.length > 0) appendFileSync(file, `${lines.join('\n')}\n`);
  return keys;
}
