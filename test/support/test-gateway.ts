import type { Provider } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import IORedis, { type Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createGatewayApp } from '../../src/bootstrap';
import { PersonalDataCipher } from '../../src/common/crypto/personal-data-cipher';
import type { CryptoProfileName } from '../../src/common/crypto/crypto-profile';
import { loadConfig } from '../../src/config/config-loader';
import { readEnvironment } from '../../src/config/environment';
import { RegionTable } from '../../src/regions/region-table';
import type { GatewayRuntime } from '../../src/runtime/gateway-runtime';

export const PLATFORM_KEY = 'tb-demo-platform-key';
export const ADMIN_KEY = 'tb-demo-admin-key';
export const READER_KEY = 'tb-test-reader-key';
/** A read-only client, given the way operators add keys without editing config files. */
export const READER_KEY_ENV = JSON.stringify([
  {
    name: 'reader',
    source: 'demo-platform',
    scopes: ['cases:read'],
    sha256: createHash('sha256').update(READER_KEY).digest('hex'),
  },
]);
export const EXAMPLE_CONFIG_DIR = join(__dirname, '../../config');

let regions: RegionTable | undefined;

export interface TestGateway {
  app: NestFastifyApplication;
  url: string;
  runtime: GatewayRuntime;
  /** The test's own database, for asserting what was stored. */
  db: DataSource;
  redis: Redis;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  configDir?: string;
  env?: Record<string, string>;
  profile?: CryptoProfileName;
  /** Use this database instead of a fresh one (e.g. a second process on the same data). */
  databaseName?: string;
  queuePrefix?: string;
  /** A Redis of the test's own, for tests that flush or kill it. */
  redisUrl?: string;
  /** More providers, e.g. a custom adapter factory. */
  extraProviders?: Provider[];
  /**
   * The data keys of another test gateway: a second process of the same deployment must read the
   * cases the first one encrypted (by default each test gateway gets keys of its own).
   */
  cipher?: PersonalDataCipher;
}

/** A real gateway on a fresh database of the test MariaDB and its own queue prefix in the test Redis. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const serverUrl = requiredEnv('TONGBAN_TEST_DATABASE_URL');
  const redisUrl = options.redisUrl ?? requiredEnv('TONGBAN_TEST_REDIS_URL');
  const databaseName = options.databaseName ?? `tb_${randomBytes(6).toString('hex')}`;
  await createDatabase(serverUrl, databaseName);
  const databaseUrl = withDatabase(serverUrl, databaseName);

  const env = readEnvironment({
    TONGBAN_CONFIG_DIR: options.configDir ?? EXAMPLE_CONFIG_DIR,
    TONGBAN_QUEUE_PREFIX: options.queuePrefix ?? `t${randomBytes(4).toString('hex')}`,
    TONGBAN_MICROSERVICE: 'off',
    TONGBAN_PORT: '0',
    TONGBAN_API_KEYS: READER_KEY_ENV,
    ...options.env,
  });
  regions ??= RegionTable.load();
  const config = loadConfig(env.configDir, {
    env: { ...process.env, ...options.env },
    apiKeysJson: env.apiKeysJson,
    regions,
  });
  const cipher =
    options.cipher ??
    new PersonalDataCipher({
      profile: options.profile ?? 'international',
      keys: { k1: randomBytes(32) },
      currentKeyId: 'k1',
    });
  const runtime: GatewayRuntime = {
    env,
    config,
    databaseUrl,
    redisUrl,
    cipher,
    regions,
    extraProviders: options.extraProviders,
  };
  const app = await createGatewayApp(runtime, { log() {}, error() {}, warn() {}, debug() {}, verbose() {} });
  if (env.microservice) await app.startAllMicroservices();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.getHttpServer().address() as { port: number };

  const db = new DataSource({ type: 'mysql', url: databaseUrl, timezone: 'Z' });
  await db.initialize();
  const redis = new IORedis(redisUrl);
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    runtime,
    db,
    redis,
    async close() {
      await app.close();
      await db.destroy();
      redis.disconnect();
    },
  };
}

export function withDatabase(serverUrl: string, databaseName: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

async function createDatabase(serverUrl: string, name: string): Promise<void> {
  const connection = await createConnection(serverUrl);
  await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4`);
  await connection.end();
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run e2e tests through jest (global setup starts the servers)`);
  return value;
}
