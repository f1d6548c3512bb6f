import { parse } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { decodeText } from './record-encoder';
import type { SerializeSettings } from './record-serializer';

export type ResultRow = Record<string, string>;

const toText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
};

function toRow(item: unknown): ResultRow {
  const row: ResultRow = {};
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    for (const [key, value] of Object.entries(item)) row[key] = toText(value);
  }
  return row;
}

/**
 * A result file in the department's format and encoding → one row per record, all values as text
 * (`01` must stay `01`). Throws on malformed content.
 */
export function parseResultFile(bytes: Buffer, settings: SerializeSettings): ResultRow[] {
  const text = decodeText(bytes, settings.encoding);
  switch (settings.format) {
    case 'csv': {
      const { csv } = settings;
      if (!csv.header && !csv.columns)
        throw new Error('a CSV result file without a header row needs csv.columns');
      const rows: unknown[] = parse(text, {
        columns: csv.header ? true : csv.columns,
        delimiter: csv.delimiter,
        quote: csv.quote,
        escape: csv.quote,
        bom: true,
        skip_empty_lines: true,
      });
      return rows.map(toRow);
    }
    case 'json': {
      const parsed: unknown = JSON.parse(text);
      const list: unknown = Array.isArray(parsed)
        ? parsed
        : (parsed as { records?: unknown } | null)?.records;
      if (!Array.isArray(list)) throw new Error('a JSON result file must hold an array of records');
      return list.map(toRow);
    }
    case 'xml': {
      const { rootElement, recordElement } = settings.xml;
      const parser = new XMLParser({
        ignoreAttributes: true,
        parseTagValue: false,
        trimValues: true,
        processEntities: true,
      });
      const tree = parser.parse(text, true) as Record<string, unknown>;
      const root = tree[rootElement];
      if (root === undefined)
        throw new Error(`an XML result file must have the root element <${rootElement}>`);
      if (root === '') return [];
      const records = (root as Record<string, unknown>)[recordElement];
      const list = records === undefined ? [] : Array.isArray(records) ? records : [records];
      return list.map(toRow);
    }
  }
}
