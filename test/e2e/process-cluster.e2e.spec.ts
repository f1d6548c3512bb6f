import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, createPool } from 'mysql2/promise';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { GatewayProcess } from '../support/gateway-process';
import { sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import { PLATFORM_KEY, withDatabase } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

/** Child pids of the supervising process (the cluster's gateway processes). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

async function submit(url: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/cases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${PLATFORM_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(
      sampleCase({ serviceCode: 'CIVIL-DIBAO', form: { householdSize: 2, monthlyIncomeYuan: '800.50' } }),
    ),
  });
  await res.arrayBuffer();
  return res.status;
}

/** TONGBAN_PROCESSES=2: one start, two gateway processes on one port; a killed one is replaced. */
describe('process cluster', () => {
  const logs = mkdtempSync(join(tmpdir(), 'tongban-cluster-'));
  const civil = new CivilSimulator();
  let gateway: GatewayProcess | undefined;
  let config: { dir: string; dispose(): void } | undefined;

  afterAll(async () => {
    await gateway?.stop();
    await civil.stop();
    config?.dispose();
    rmSync(logs, { recursive: true, force: true });
  });

  it('serves from two processes, replaces a killed one and delivers every case', async () => {
    const server = process.env.TONGBAN_TEST_DATABASE_URL!;
    const database = `tb_cluster_${randomBytes(4).toString('hex')}`;
    const admin = await createConnection(server);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    config = restDepartmentsConfig([{ code: 'CIVIL', baseUrl: await civil.start() }]);
    gateway = new GatewayProcess({
      role: 'all',
      databaseUrl: withDatabase(server, database),
      redisUrl: process.env.TONGBAN_TEST_REDIS_URL!,
      configDir: config.dir,
      queuePrefix: `cl${randomBytes(3).toString('hex')}`,
      dataKeys: `k1:${randomBytes(32).toString('base64')}`,
      logFile: join(logs, 'gateway.log'),
      env: { TONGBAN_PROCESSES: '2' },
    });
    await gateway.start();
    const primary = gateway.pid!;
    await waitFor(() => childrenOf(primary).length === 2, 'two gateway processes', 30_000);
    const [first, second] = childrenOf(primary);

    const before = await Promise.all(Array.from({ length: 20 }, () => submit(gateway!.url)));
    expect(before.every((s) => s === 202)).toBe(true);

    process.kill(first, 'SIGKILL');
    await waitFor(
      () => {
        const now = childrenOf(primary);
        return now.length === 2 && !now.includes(first) && now.includes(second);
      },
      'the killed process replaced',
      30_000,
    );
    // The survivor served meanwhile; the replacement is up and the port still answers.
    const after = await Promise.all(Array.from({ length: 20 }, () => submit(gateway!.url)));
    expect(after.every((s) => s === 202)).toBe(true);

    const pool = createPool(withDatabase(server, database));
    try {
      await waitFor(
        async () => {
          const [rows] = await pool.query<Array<{ n: number } & import('mysql2').RowDataPacket>>(
            "SELECT COUNT(*) AS n FROM deliveries WHERE status = 'DELIVERED'",
          );
          return Number(rows[0].n) === 40;
        },
        'all 40 deliveries delivered',
        60_000,
      );
    } finally {
      await pool.end();
    }
    expect(civil.stats().duplicatesApplied).toBe(0);
  });
});
