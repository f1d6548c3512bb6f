import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { EmbeddedMariaDb } from '../../src/embedded/embedded-mariadb';
import { EmbeddedRedis } from '../../src/embedded/embedded-redis';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; is the e2e global setup configured?`);
  return value;
}

async function withRedis<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function withDatabase<T>(url: string, use: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await createConnection(url);
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}

describe('embedded services', () => {
  describe('started by global setup', () => {
    it('runs Redis with an append-only file and no eviction', async () => {
      await withRedis(requireEnv('TONGBAN_TEST_REDIS_URL'), async (client) => {
        expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
        expect(await client.info('persistence')).toContain('aof_enabled:1');
        expect(await client.info('memory')).toContain('maxmemory_policy:noeviction');
      });
    });

    it('lets the tongban user into MariaDB, in utf8mb4, with rights to create databases', async () => {
      await withDatabase(requireEnv('TONGBAN_TEST_DATABASE_URL'), async (connection) => {
        const [rows] = await connection.query<RowDataPacket[]>(
          'SELECT DATABASE() AS db, @@character_set_server AS charset, @@collation_server AS collation',
        );
        expect(rows[0]).toEqual({ db: 'tongban', charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' });
        const scratch = `tongban_scratch_${process.pid}`;
        await connection.query(`CREATE DATABASE \`${scratch}\``);
        await connection.query(`DROP DATABASE \`${scratch}\``);
      });
    });
  });

  describe('own servers killed with SIGKILL', () => {
    let dataDir: string;
    let redis: EmbeddedRedis;
    let mariadb: EmbeddedMariaDb;

    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'tongban-test-crash-'));
      redis = new EmbeddedRedis({ dataDir });
      mariadb = new EmbeddedMariaDb({ dataDir });
    });

    afterAll(async () => {
      await Promise.allSettled([redis.stop(), mariadb.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps Redis writes (append-only file)', async () => {
      await redis.start();
      const url = redis.url;
      const pidBefore = redis.pid;
      await withRedis(url, (client) => client.set('survivor', 'still here'));

      await redis.kill();
      expect(redis.pid).toBeUndefined();
      await redis.restart();

      expect(redis.url).toBe(url);
      expect(redis.pid).not.toBe(pidBefore);
      expect(await withRedis(url, (client) => client.get('survivor'))).toBe('still here');
      await redis.stop();
    });

    it('keeps committed MariaDB rows (InnoDB)', async () => {
      await mariadb.start();
      const url = mariadb.url;
      await withDatabase(url, async (connection) => {
        await connection.query('CREATE TABLE survivors (id INT PRIMARY KEY, note VARCHAR(50)) ENGINE=InnoDB');
        await connection.query('INSERT INTO survivors VALUES (1, ?)', ['still here']);
      });

      await mariadb.kill();
      expect(mariadb.pid).toBeUndefined();
      await mariadb.restart();

      expect(mariadb.url).toBe(url);
      const rows = await withDatabase(url, async (connection) => {
        const [result] = await connection.query<RowDataPacket[]>('SELECT id, note FROM survivors');
        return result;
      });
      expect(rows).toEqual([{ id: 1, note: 'still here' }]);
      await mariadb.stop();
    });
  });
});
