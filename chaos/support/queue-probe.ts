import IORedis from 'ioredis';
import type { Fleet } from './fleet';

/** Jobs BullMQ failed for stalling too often (the reconciler puts their deliveries back). */
export async function stalledJobs(fleet: Fleet, departments: string[]): Promise<number> {
  const redis = new IORedis(fleet.redisUrl, { maxRetriesPerRequest: 3 });
  try {
    let stalled = 0;
    for (const department of departments) {
      const base = `${fleet.prefix}:delivery.${department}`;
      const failed = await redis.zrange(`${base}:failed`, 0, -1);
      for (const id of failed) {
        const reason = await redis.hget(`${base}:${id}`, 'failedReason');
        if (reason && /stalled/i.test(reason)) stalled++;
      }
    }
    return stalled;
  } finally {
    redis.disconnect();
  }
}

/** Deliveries open in MySQL whose job is missing from Redis (or sits in failed/completed). */
export async function missingJobs(
  fleet: Fleet,
  open: Array<{ id: string; department: string }>,
): Promise<number> {
  const redis = new IORedis(fleet.redisUrl, { maxRetriesPerRequest: 3 });
  try {
    const pipeline = redis.pipeline();
    for (const d of open) {
      const base = `${fleet.prefix}:delivery.${d.department}`;
      pipeline.exists(`${base}:${d.id}`);
      pipeline.zscore(`${base}:failed`, d.id);
      pipeline.zscore(`${base}:completed`, d.id);
    }
    const replies = (await pipeline.exec()) ?? [];
    let missing = 0;
    for (let i = 0; i < open.length; i++) {
      const exists = Number(replies[i * 3]?.[1]) === 1;
      const failed = replies[i * 3 + 1]?.[1] !== null;
      const completed = replies[i * 3 + 2]?.[1] !== null;
      if (!exists || failed || completed) missing++;
    }
    return missing;
  } finally {
    redis.disconnect();
  }
}
