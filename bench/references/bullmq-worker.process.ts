/**
 * Reference: a BullMQ Worker with an empty processor, in a process of its own (as Tongban's worker
 * role is). Sends `ready` once connected; answers every message with `{ completed }`.
 */
import { Worker } from 'bullmq';
import { redisOptions } from '../support/redis-options';

const queueName = process.env.BENCH_QUEUE ?? 'bench-raw';
const worker = new Worker(queueName, async () => undefined, {
  connection: redisOptions(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'),
  prefix: process.env.BENCH_PREFIX,
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 50),
});
let completed = 0;
worker.on('completed', () => completed++);
process.on('message', () => process.send?.({ completed }));
const stop = () => void worker.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
void worker.waitUntilReady().then(() => process.send?.('ready'));
