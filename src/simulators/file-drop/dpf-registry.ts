import type { DpfRow } from './dpf-files';

export interface InvalidInboxFile {
  file: string;
  reason: string;
}

interface Received {
  row: DpfRow;
  businessNo: string;
  times: number;
}

/** What the department received: every record by 流水号, duplicates, files it could not read. */
export class DpfRegistry {
  filesReceived = 0;
  recordsReceived = 0;
  readonly invalidFiles: InvalidInboxFile[] = [];
  readonly duplicateIds: string[] = [];
  private readonly byId = new Map<string, Received>();
  private counter = 0;

  /** Records one row; a 流水号 seen before keeps its 业务编号 (the department is idempotent by it). */
  record(row: DpfRow, day: string): { businessNo: string; duplicate: boolean } {
    this.recordsReceived += 1;
    const id = row['流水号'];
    const known = this.byId.get(id);
    if (known) {
      known.times += 1;
      this.duplicateIds.push(id);
      return { businessNo: known.businessNo, duplicate: true };
    }
    this.counter += 1;
    const businessNo = `CL${day}${String(this.counter).padStart(6, '0')}`;
    this.byId.set(id, { row, businessNo, times: 1 });
    return { businessNo, duplicate: false };
  }

  row(id: string): DpfRow | undefined {
    return this.byId.get(id)?.row;
  }

  businessNo(id: string): string | undefined {
    return this.byId.get(id)?.businessNo;
  }

  get uniqueIds(): number {
    return this.byId.size;
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  reset(): void {
    this.filesReceived = this.recordsReceived = this.counter = 0;
    this.invalidFiles.length = 0;
    this.duplicateIds.length = 0;
    this.byId.clear();
  }
}
