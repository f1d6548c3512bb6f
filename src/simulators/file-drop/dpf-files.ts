import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import * as iconv from 'iconv-lite';

/** The inbox file columns of docs/demo-departments.md (DPF). */
export const DPF_COLUMNS = [
  '流水号',
  '姓名',
  '证件号码',
  '性别',
  '出生日期',
  '残疾证号',
  '残疾类别',
  '残疾等级',
  '补贴类型',
  '联系电话',
  '行政区划',
  '受理日期',
] as const;

export const DPF_RESULT_COLUMNS = ['流水号', '处理结果', '业务编号', '备注', '处理时间'] as const;

export type DpfRow = Record<string, string>;

export interface DpfResultRow {
  流水号: string;
  /** `01` accepted, `02` resend, `03` rejected, `04` approved. */
  处理结果: '01' | '02' | '03' | '04';
  业务编号: string;
  备注: string;
  处理时间: string;
}

export type InboxParse = { ok: true; rows: DpfRow[]; columns: string[] } | { ok: false; reason: string };

/**
 * Reads an inbox file the way the department's importer does: strict GBK, CRLF, header row with
 * every required column, a 流水号 on every row. A partially written file fails one of these.
 */
export function parseInboxFile(bytes: Buffer, required: readonly string[] = DPF_COLUMNS): InboxParse {
  const text = iconv.decode(bytes, 'gbk');
  if (!iconv.encode(text, 'gbk').equals(bytes)) return { ok: false, reason: 'not valid GBK' };
  if (!text.endsWith('\r\n')) return { ok: false, reason: 'does not end with CRLF' };
  let records: string[][];
  try {
    records = parse(text, { record_delimiter: '\r\n', relax_column_count: false });
  } catch (error) {
    return { ok: false, reason: `malformed CSV: ${error instanceof Error ? error.message : String(error)}` };
  }
  const [header, ...body] = records;
  if (!header) return { ok: false, reason: 'empty file' };
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length > 0) return { ok: false, reason: `missing columns: ${missing.join(', ')}` };
  const rows = body.map((cells) => Object.fromEntries(header.map((column, i) => [column, cells[i] ?? ''])));
  const blank = rows.findIndex((row) => !row['流水号']?.trim());
  if (blank >= 0) return { ok: false, reason: `row ${blank + 1} has no 流水号` };
  return { ok: true, rows, columns: header };
}

/** A result file as the department writes it: GBK, CRLF, header row. */
export function resultFileBytes(rows: DpfResultRow[]): Buffer {
  const text = stringify(
    rows.map((row) => DPF_RESULT_COLUMNS.map((column) => row[column])),
    { header: false, record_delimiter: 'windows', quoted_match: /[\r\n]/ },
  );
  const header = DPF_RESULT_COLUMNS.join(',') + '\r\n';
  return iconv.encode(header + text, 'gbk');
}

/** `yyyy-MM-dd HH:mm:ss` and a file-name stamp, both in Asia/Shanghai (UTC+8, no DST). */
export function shanghaiTimes(now: Date): { display: string; stamp: string; day: string } {
  const local = new Date(now.getTime() + 8 * 3_600_000).toISOString();
  const day = local.slice(0, 10).replace(/-/g, '');
  return {
    display: `${local.slice(0, 10)} ${local.slice(11, 19)}`,
    stamp: day + local.slice(11, 23).replace(/[:.]/g, ''),
    day,
  };
}
