import { stringify } from 'csv-stringify/sync';
import { fieldText, type FlatRecord } from './flat-record';
import type {
  CsvFormatOptions,
  FileFormat,
  TextEncoding,
  XmlFormatOptions,
} from './file-drop-adapter.options';

/**
 * A file as head + one chunk per delivery + tail. Batch files join the chunks of many deliveries;
 * each delivery's evidence is head + its own chunk + tail, bytes that appear verbatim in the file.
 */
export interface SerializedFile {
  head: string;
  chunks: string[];
  separator: string;
  tail: string;
}

export interface SerializeSettings {
  format: FileFormat;
  encoding: TextEncoding;
  csv: CsvFormatOptions;
  xml: XmlFormatOptions;
}

export type SerializeResult = { ok: true; file: SerializedFile } | { ok: false; reason: string };

export function fileText(file: SerializedFile, only?: number): string {
  const chunks = only === undefined ? file.chunks : [file.chunks[only]];
  return file.head + chunks.join(file.separator) + file.tail;
}

/** One group of records per delivery, in file order. */
export function serializeRecords(groups: FlatRecord[][], settings: SerializeSettings): SerializeResult {
  switch (settings.format) {
    case 'csv':
      return serializeCsv(groups, settings.csv);
    case 'xml':
      return serializeXml(groups, settings.xml, settings.encoding);
    case 'json':
      return {
        ok: true,
        file: {
          head: '[',
          chunks: groups.map((g) => g.map((r) => JSON.stringify(r)).join(',')),
          separator: ',',
          tail: ']\n',
        },
      };
  }
}

function csvColumns(
  groups: FlatRecord[][],
  configured: string[] | undefined,
): { ok: true; columns: string[] } | { ok: false; reason: string } {
  const seen = new Set<string>(configured ?? []);
  const columns = [...seen];
  for (const record of groups.flat()) {
    for (const key of Object.keys(record)) {
      if (seen.has(key)) continue;
      if (configured) return { ok: false, reason: `field ${key} is not among the configured CSV columns` };
      seen.add(key);
      columns.push(key);
    }
  }
  return { ok: true, columns };
}

function serializeCsv(groups: FlatRecord[][], csv: CsvFormatOptions): SerializeResult {
  const found = csvColumns(groups, csv.columns);
  if (!found.ok) return found;
  const { columns } = found;
  const options = {
    delimiter: csv.delimiter,
    quote: csv.quote,
    escape: csv.quote,
    quoted: csv.quoteAll,
    quoted_empty: csv.quoteAll,
    // csv-stringify leaves a lone \n unquoted when the record delimiter is \r\n; readers then split the row.
    quoted_match: /[\r\n]/,
    record_delimiter: csv.lineEnding === 'crlf' ? 'windows' : 'unix',
    header: false,
  } as const;
  const rows = (records: FlatRecord[]): string[][] => records.map((r) => columns.map((c) => fieldText(r[c])));
  return {
    ok: true,
    file: {
      head: csv.header ? stringify([columns], options) : '',
      chunks: groups.map((records) => stringify(rows(records), options)),
      separator: '',
      tail: '',
    },
  };
}

const XML_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;
// Characters XML 1.0 cannot carry at all, not even escaped (with /u, only lone surrogates match).
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/u;

const escapeXml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

function serializeXml(
  groups: FlatRecord[][],
  xml: XmlFormatOptions,
  encoding: TextEncoding,
): SerializeResult {
  const chunks: string[] = [];
  for (const records of groups) {
    let chunk = '';
    for (const record of records) {
      chunk += `  <${xml.recordElement}>`;
      for (const [key, value] of Object.entries(record)) {
        if (!XML_NAME.test(key) || /^xml/i.test(key))
          return { ok: false, reason: `field ${key} is not a valid XML element name` };
        const text = fieldText(value);
        if (XML_FORBIDDEN.test(text)) {
          return { ok: false, reason: `field ${key} holds a control character XML cannot carry` };
        }
        chunk += `<${key}>${escapeXml(text)}</${key}>`;
      }
      chunk += `</${xml.recordElement}>\n`;
    }
    chunks.push(chunk);
  }
  const declaration = xml.declaration ? `<?xml version="1.0" encoding="${encoding.toUpperCase()}"?>\n` : '';
  return {
    ok: true,
    file: {
      head: `${declaration}<${xml.rootElement}>\n`,
      chunks,
      separator: '',
      tail: `</${xml.rootElement}>\n`,
    },
  };
}
