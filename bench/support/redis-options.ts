/** BullMQ connection options for a redis:// URL (BullMQ takes ioredis options, not a URL). */
export function redisOptions(url: string): { host: string; port: number; maxRetriesPerRequest: null } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379), maxRetriesPerRequest: null };
}
