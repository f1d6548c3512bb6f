import { plainToInstance } from 'class-transformer';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FileDropAdapterFactory } from '../../src/adapters/file-drop/file-drop.adapter';
import { parseFileDropOptions } from '../../src/adapters/file-drop/file-drop-adapter.options';
import { createEgressGuard } from '../../src/adapters/network/egress-guard';
import type { DepartmentAdapter } from '../../src/adapters/sdk/department-adapter';
import { DepartmentConfig } from '../../src/config/model/department-config';
import { dpfSampleRecord } from '../../src/simulators/file-drop/dpf-sample';
import { REPO_ROOT } from '../support/bench-options';
import { residentIdFor } from '../support/case-factory';
import type { Scenario } from '../support/scenario';

/**
 * Deliveries in flight: what one worker process gives a department at most (delivery.concurrency
 * ≤ 256). A delivery is answered only once its batch file is in place, so a batch never holds more
 * records than there are deliveries waiting on it.
 */
const IN_FLIGHT = 256;
const MAX_RECORDS = 250;

/**
 * File-drop batches: records per second the file-drop adapter writes in batch mode (the shipped
 * DPF options: GBK CSV with its columns, journaled batches) into a local inbox directory, with the
 * deliveries in flight of one worker process at full concurrency. Adapter level, no gateway: the
 * figure is the adapter's own cost; the records in the written files are counted against the
 * deliveries answered.
 */
export function fileDropScenario(): Scenario {
  let adapter: DepartmentAdapter | undefined;
  let root = '';
  return {
    id: 'file-drop',
    title: 'file-drop batches (adapter, GBK CSV into a directory)',
    async setup(ctx) {
      root = join(ctx.runDir, 'file-drop');
      mkdirSync(join(root, 'inbox'), { recursive: true });
      const shipped = parse(readFileSync(join(REPO_ROOT, 'config', 'departments', 'DPF.yaml'), 'utf8')) as {
        adapter: { options: Record<string, unknown> };
      };
      const { resultsPath, archivePath, ...shippedOptions } = shipped.adapter.options;
      void resultsPath;
      void archivePath;
      const options = parseFileDropOptions({
        ...shippedOptions,
        target: { type: 'directory', path: join(root, 'inbox') },
        fileName: 'TB_BATCH_{batchId}.csv',
        mode: 'batch',
        batch: { maxRecords: MAX_RECORDS, maxWaitMs: 200, stateDir: join(root, 'state') },
      });
      const department = plainToInstance(
        DepartmentConfig,
        { code: 'DPF', name: '市残联', adapter: { type: 'file-drop', options: {} } },
        { exposeDefaultValues: true },
      );
      adapter = await new FileDropAdapterFactory().create({
        department,
        options,
        egress: createEgressGuard('DPF', []),
        configDir: root,
        log: () => undefined,
      });
    },
    async run(ctx, run) {
      const windowStart = Date.now() + ctx.options.warmupSeconds * 1000;
      const windowEnd = windowStart + ctx.options.seconds * 1000;
      let n = 0;
      let written = 0;
      let inWindow = 0;
      let failed = 0;
      const loop = async () => {
        while (Date.now() < windowEnd) {
          const i = n++;
          const id = `0193a0c4-${String(run).padStart(4, '0')}-7c4b-9f1e-${String(i).padStart(12, '0')}`;
          const outcome = await adapter!.deliver({
            deliveryId: id,
            caseId: `case-${i}`,
            department: 'DPF',
            attempt: 1,
            message: dpfSampleRecord(id, { 证件号码: residentIdFor(i) }),
            signal: AbortSignal.timeout(30_000),
          });
          const now = Date.now();
          if (outcome.kind !== 'queued' && outcome.kind !== 'delivered') {
            failed++;
            continue;
          }
          written++;
          if (now >= windowStart && now < windowEnd) inWindow++;
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
      const inbox = join(root, 'inbox');
      const files = readdirSync(inbox).filter((name) => name.endsWith('.csv'));
      // CRLF lines, one header per file.
      const records = files.reduce(
        (sum, name) =>
          sum + readFileSync(join(inbox, name)).toString('latin1').split('\r\n').filter(Boolean).length - 1,
        0,
      );
      if (records !== written)
        ctx.progress.line(
          `    CHECK: ${written} deliveries answered, ${records} records in ${files.length} files`,
        );
      rmSync(inbox, { recursive: true, force: true });
      mkdirSync(inbox);
      return [
        {
          id: 'file-drop',
          label: `file-drop batch mode (batches of ${MAX_RECORDS}, ${IN_FLIGHT} in flight)`,
          unit: 'records/s',
          higherIsBetter: true,
          value: inWindow / ctx.options.seconds,
          detail: { files: files.length, records, answered: written, failed },
        },
      ];
    },
    async teardown() {
      await adapter?.close();
    },
  };
}
