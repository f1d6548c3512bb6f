import type { RedisOptions } from '@nestjs/microservices';

/** @nestjs/microservices' Redis transport takes ioredis options, not a URL. */
export function redisTransportOptions(url: string): RedisOptions['options'] {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined,
  };
}
