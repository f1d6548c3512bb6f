/** The naive app's environment (NAIVE_*), read once at start. */
export interface NaiveSettings {
  role: 'api' | 'worker' | 'all';
  port: number;
  databaseUrl: string;
  redisUrl: string;
  queueName: string;
  civilUrl: string;
  apiKey: string;
  concurrency: number;
}

export const NAIVE_SETTINGS = Symbol('NAIVE_SETTINGS');
export const DELIVERY_QUEUE = Symbol('DELIVERY_QUEUE');

export function readNaiveSettings(env = process.env): NaiveSettings {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  return {
    role: (env.NAIVE_ROLE ?? 'all') as NaiveSettings['role'],
    port: Number(env.NAIVE_PORT ?? 0),
    databaseUrl: required('NAIVE_DATABASE_URL'),
    redisUrl: required('NAIVE_REDIS_URL'),
    queueName: env.NAIVE_QUEUE ?? 'naive-deliveries',
    civilUrl: required('NAIVE_CIVIL_URL'),
    apiKey: env.NAIVE_API_KEY ?? 'tb-demo-platform-key',
    concurrency: Number(env.NAIVE_CONCURRENCY ?? 8),
  };
}
