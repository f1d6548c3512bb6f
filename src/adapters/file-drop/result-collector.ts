import { DateTime } from 'luxon';
import type { DepartmentStatusReport } from '../sdk/department-adapter';
import type { FileStore, StoredFile } from './file-store';
import { assertSafeFileName, globToRegExp, isTempName } from './file-name';
import type { ResultOptions } from './file-drop-adapter.options';
import type { SerializeSettings } from './record-serializer';
import { parseResultFile, type ResultRow } from './result-parser';

type Log = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface ResultCollectorDeps {
  store: FileStore;
  resultsDir: string;
  archiveDir: string;
  settings: SerializeSettings;
  options: ResultOptions;
  timeZone: string;
  log: Log;
}

interface Sighting {
  size: number;
  mtimeMs: number;
  /** When this size/mtime was first seen: a file is read only once it stayed unchanged for settleMs. */
  since: number;
}

/** Parse failures of a settled file are retried this many settle periods before the file counts as invalid. */
const INVALID_AFTER_SETTLES = 5;

/**
 * Picks up the department's result files. Departments often write them in place, not atomically,
 * so a file is read only when it is not a temp name and its size and mtime held still for settleMs;
 * once its rows are turned into reports it moves to the archive and is not read again.
 */
export class ResultCollector {
  private readonly sightings = new Map<string, Sighting>();
  /** Reported but not archived (archive failed): not reported again by this process. */
  private readonly unarchived = new Set<string>();
  /**
   * Read and reported, archived at the start of the next collect: the caller asks again only after
   * applying what it got, so a crash in between re-reads the file (reports are idempotent) instead
   * of losing its rows.
   */
  private handedOver: StoredFile[] = [];
  private readonly pattern: RegExp;

  constructor(private readonly deps: ResultCollectorDeps) {
    this.pattern = globToRegExp(deps.options.pattern);
  }

  async collect(signal: AbortSignal): Promise<DepartmentStatusReport[]> {
    const { store, resultsDir, options } = this.deps;
    const applied = this.handedOver;
    this.handedOver = [];
    for (const file of applied) await this.archive(file, file.name);
    const files = await store.list(resultsDir);
    const now = Date.now();
    const present = new Set(files.map((f) => f.name));
    for (const name of this.sightings.keys()) if (!present.has(name)) this.sightings.delete(name);

    const reports: DepartmentStatusReport[] = [];
    let read = 0;
    for (const file of files.sort((a, b) => a.name.localeCompare(b.name))) {
      if (read >= options.maxFilesPerRun) break;
      if (isTempName(file.name) || !this.pattern.test(file.name) || this.unarchived.has(fileKey(file)))
        continue;
      const stableFor = this.observe(file, now);
      if (stableFor === undefined) continue;
      signal.throwIfAborted();
      read++;
      reports.push(...(await this.process(file, stableFor)));
    }
    return reports;
  }

  /** How long the file has been unchanged, or undefined while it may still be growing. */
  private observe(file: StoredFile, now: number): number | undefined {
    const { settleMs } = this.deps.options;
    const seen = this.sightings.get(file.name);
    if (!seen || seen.size !== file.size || seen.mtimeMs !== file.mtimeMs) {
      this.sightings.set(file.name, { size: file.size, mtimeMs: file.mtimeMs, since: now });
      return settleMs === 0 ? 0 : undefined;
    }
    const stableFor = now - seen.since;
    return stableFor >= settleMs ? stableFor : undefined;
  }

  private async process(file: StoredFile, stableFor: number): Promise<DepartmentStatusReport[]> {
    const { store, resultsDir, settings, options, log } = this.deps;
    assertSafeFileName(file.name);
    const bytes = await store.read(resultsDir, file.name);
    if (bytes.length !== file.size) {
      this.sightings.set(file.name, { size: bytes.length, mtimeMs: file.mtimeMs, since: Date.now() });
      return [];
    }
    const giveUp = stableFor >= options.settleMs * INVALID_AFTER_SETTLES;
    // A CSV cut off mid-row has no final line break; wait a while longer before believing it.
    const truncated = settings.format === 'csv' && bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a;
    if (truncated && !giveUp) return [];
    let rows: ResultRow[];
    try {
      rows = parseResultFile(bytes, settings);
    } catch (error) {
      if (!giveUp) return [];
      log('error', 'result file is malformed; archived as .invalid', {
        file: file.name,
        error: String(error),
      });
      await this.archive(file, `${file.name}.invalid`);
      return [];
    }
    const reports = rows.flatMap((row, index) => this.toReport(row, file.name, index));
    this.handedOver.push(file);
    this.unarchived.add(fileKey(file)); // not read again before it is archived
    log('info', 'result file processed', { file: file.name, rows: rows.length, reports: reports.length });
    return reports;
  }

  private async archive(file: StoredFile, toName: string): Promise<void> {
    const { store, resultsDir, archiveDir, log } = this.deps;
    try {
      await store.archive(resultsDir, file.name, archiveDir, toName);
      this.sightings.delete(file.name);
      this.unarchived.delete(fileKey(file));
    } catch (error) {
      this.unarchived.add(fileKey(file));
      log('error', 'result file could not be archived; it stays in place', {
        file: file.name,
        error: String(error),
      });
    }
  }

  private toReport(row: ResultRow, file: string, index: number): DepartmentStatusReport[] {
    const { options, log } = this.deps;
    const deliveryId = row[options.idColumn]?.trim();
    if (!deliveryId) {
      log('warn', 'result row without a delivery id skipped', {
        file,
        row: index + 1,
        column: options.idColumn,
      });
      return [];
    }
    const code = options.statusColumn ? (row[options.statusColumn]?.trim() ?? '') : '';
    const status = options.statusColumn ? (options.statusMap?.[code] ?? code) : 'UNKNOWN';
    if (options.statusMap && options.statusMap[code] === undefined) {
      log('warn', 'result status code not in statusMap; passed on as is', { file, row: index + 1, code });
    }
    const text = (column: string | undefined): string | undefined =>
      column ? row[column]?.trim() || undefined : undefined;
    return [
      {
        deliveryId,
        status,
        resend: status.toUpperCase() === 'RESEND' || undefined,
        receipt: { reference: text(options.referenceColumn), fields: row },
        remark: text(options.remarkColumn),
        finishedAt: this.isoTime(text(options.finishedAtColumn)),
      },
    ];
  }

  private isoTime(value: string | undefined): string | undefined {
    if (!value) return undefined;
    const parsed = DateTime.fromFormat(value, 'yyyy-MM-dd HH:mm:ss', { zone: this.deps.timeZone });
    return parsed.isValid ? (parsed.toISO() ?? value) : value;
  }
}

const fileKey = (file: StoredFile): string => `${file.name}\u0000${file.size}\u0000${file.mtimeMs}`;
