import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DpfSimulator } from '../../src/simulators/file-drop/dpf.simulator';
import { attemptsOf } from '../support/delivery-probe';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { FAST_DELIVERY } from '../support/test-config';
import {
  EXAMPLE_CONFIG_DIR,
  PLATFORM_KEY,
  startTestGateway,
  type TestGateway,
} from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

/** The example config with DPF only (its folders under TONGBAN_DATA_DIR), results collected every 250 ms. */
function dpfConfig(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-results-config-'));
  cpSync(EXAMPLE_CONFIG_DIR, dir, { recursive: true });
  for (const code of ['CIVIL', 'HEALTH', 'HRSS']) rmSync(join(dir, 'departments', `${code}.yaml`));
  const yaml = readFileSync(join(EXAMPLE_CONFIG_DIR, 'departments', 'DPF.yaml'), 'utf8')
    .replace(/settleMs: \d+/, 'settleMs: 100')
    .replace(/\ndelivery:[\s\S]*?(?=\n[a-z#]|$)/, `\ndelivery:${FAST_DELIVERY}`)
    .replace(/results: \{ intervalMs: \d+ \}/, 'results: { intervalMs: 250 }');
  expect(yaml).toContain('results: { intervalMs: 250 }');
  expect(yaml).toContain('settleMs: 100');
  writeFileSync(join(dir, 'departments', 'DPF.yaml'), yaml);
  writeFileSync(
    join(dir, 'routes.yaml'),
    'routes:\n  - service: DPF-SUBSIDY\n    targets: [{ department: DPF, mapping: dpf-subsidy }]\n',
  );
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

const dpfCase = () =>
  sampleCase({
    serviceCode: 'DPF-SUBSIDY',
    form: {
      disabilityCertNo: '11010519491231002X42',
      disabilityCategory: 'PHYSICAL',
      disabilityLevel: 2,
      subsidyType: 'BOTH',
    },
  });

/** Result files of the DPF simulator (GBK RESULT_*.csv) picked up on schedule by a real gateway. */
describe('result-file pickup', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-results-data-'));
  const dpf = new DpfSimulator({ rootDir: join(dataDir, 'departments', 'DPF'), controlPort: false });
  let config: { dir: string; dispose(): void };
  let gw: TestGateway;

  beforeAll(async () => {
    await dpf.start();
    config = dpfConfig();
    gw = await startTestGateway({ configDir: config.dir, env: { TONGBAN_DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await gw?.close();
    await dpf.stop();
    config?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const submit = async (): Promise<{ caseId: string; id: string }> => {
    const res = await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body: dpfCase() });
    expect(res.status).toBe(202);
    return { caseId: res.body.id, id: res.body.deliveries[0].id };
  };
  const statusOf = async (id: string): Promise<string> =>
    (await gw.db.query<Array<{ status: string }>>('SELECT status FROM deliveries WHERE id = ?', [id]))[0]
      .status;
  const reaches = (id: string, status: string) =>
    waitFor(async () => (await statusOf(id)) === status, `delivery ${id} ${status}`);
  const caseStatus = async (caseId: string): Promise<string> =>
    String((await call(gw.url, 'GET', `/api/v1/cases/${caseId}`, { key: PLATFORM_KEY })).body.status);
  const resultFiles = async (dir: string) => (await readdir(dir)).filter((n) => /^RESULT_.*\.csv$/.test(n));

  it('approves, rejects and resends from RESULT files on schedule, and archives every file', async () => {
    // Hold the department's importer until each record's answer is arranged.
    dpf.setFault({ mode: 'down' });
    const approved = await submit();
    const rejected = await submit();
    const resent = await submit();
    for (const { id } of [approved, rejected, resent]) await reaches(id, 'DELIVERED');
    dpf.rejectIds([rejected.id], '残疾证号与身份证号不符');
    dpf.resendIds([resent.id]);
    dpf.setFault({ mode: 'none' });
    await dpf.waitFor((s) => s.recordsReceived >= 3);

    // 03: rejected by the department, a final result.
    await reaches(rejected.id, 'REJECTED');
    expect(await caseStatus(rejected.caseId)).toBe('COMPLETED');

    // 02: the same record goes out again, in a new file, with the same 流水号 (delivery id).
    await dpf.waitFor((s) => s.duplicateIds.includes(resent.id), 20_000);
    expect(dpf.registry.row(resent.id)?.['流水号']).toBe(resent.id);
    const processed = (await readdir(dpf.processedDir)).filter((n) => n.startsWith(`TB_${resent.id}.csv`));
    expect(processed).toHaveLength(2);
    expect(dpf.stats().duplicateIds).toEqual([resent.id]);
    await reaches(resent.id, 'DELIVERED');
    expect((await attemptsOf(gw, resent.id)).map((a) => a.attempt)).toEqual([1, 2]);
    const resend = await gw.db.query<Array<{ detail: string }>>(
      "SELECT detail FROM case_events WHERE delivery_id = ? AND type = 'DELIVERY_RESEND_REQUESTED'",
      [resent.id],
    );
    expect(resend.map((e) => JSON.parse(e.detail) as unknown)).toEqual([
      expect.objectContaining({ via: 'result-file', reported: 'RESEND' }),
    ]);

    // 01 said nothing new; 04 later approves.
    expect(await statusOf(approved.id)).toBe('DELIVERED');
    await dpf.approve([approved.id, resent.id]);
    await reaches(approved.id, 'APPROVED');
    await reaches(resent.id, 'APPROVED');
    expect(await caseStatus(approved.caseId)).toBe('COMPLETED');
    const [reference] = await gw.db.query<Array<{ receipt_ref: string }>>(
      'SELECT receipt_ref FROM deliveries WHERE id = ?',
      [approved.id],
    );
    expect(reference.receipt_ref).toBe(dpf.registry.businessNo(approved.id));

    // Every result file was read once and moved to the archive.
    await waitFor(async () => (await resultFiles(dpf.resultsDir)).length === 0, 'results folder emptied');
    expect(await resultFiles(join(dpf.resultsDir, 'archive'))).toHaveLength(dpf.stats().resultFilesWritten);
    expect(dpf.stats().duplicates).toBe(1);
  });
});
