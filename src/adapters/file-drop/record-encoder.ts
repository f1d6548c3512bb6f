import * as iconv from 'iconv-lite';
import { fieldText, type FlatRecord } from './flat-record';
import type { TextEncoding, UnencodablePolicy } from './file-drop-adapter.options';

export interface UnencodableCharacter {
  /** The field (or `field name` for a key) holding the character. */
  field: string;
  character: string;
  codePoint: number;
  /** The value with every other character masked, so the reason can be logged. */
  context: string;
}

const fits = (text: string, encoding: TextEncoding): boolean =>
  iconv.decode(iconv.encode(text, encoding), encoding) === text;

/**
 * iconv-lite silently writes `?` for what an encoding cannot hold (GBK has no 𠮷 and many 生僻字),
 * so the only reliable test is a round trip. Returns the first offending code point.
 */
export function findUnencodable(
  text: string,
  encoding: TextEncoding,
): { index: number; character: string } | undefined {
  if (fits(text, encoding)) return undefined;
  const chars = Array.from(text);
  const index = chars.findIndex((char) => !fits(char, encoding));
  // A whole string can fail while every character fits only for stateful encodings; none of ours is.
  return index < 0 ? { index: 0, character: chars[0] ?? '' } : { index, character: chars[index] };
}

function maskedContext(text: string, index: number): string {
  const chars = Array.from(text);
  const from = Math.max(0, index - 3);
  const to = Math.min(chars.length, index + 4);
  const shown = chars.slice(from, to).map((char, i) => (from + i === index ? char : '*'));
  return (from > 0 ? '…' : '') + shown.join('') + (to < chars.length ? '…' : '');
}

/** Checks field names and values of every record; the first failure names the field. */
export function checkRecordsEncodable(
  records: FlatRecord[],
  encoding: TextEncoding,
): UnencodableCharacter | undefined {
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      const inKey = findUnencodable(key, encoding);
      if (inKey) return describe('field name', key, inKey);
      const text = fieldText(value);
      const inValue = findUnencodable(text, encoding);
      if (inValue) return describe(key, text, inValue);
    }
  }
  return undefined;
}

function describe(
  field: string,
  text: string,
  found: { index: number; character: string },
): UnencodableCharacter {
  return {
    field,
    character: found.character,
    codePoint: found.character.codePointAt(0) ?? 0,
    context: maskedContext(text, found.index),
  };
}

export function unencodableReason(found: UnencodableCharacter, encoding: TextEncoding): string {
  const hex = found.codePoint.toString(16).toUpperCase().padStart(4, '0');
  return (
    `field ${found.field}: character ${found.character} (U+${hex}) cannot be encoded in ${encoding.toUpperCase()} ` +
    `(value ${found.context}); use encoding gb18030 or unencodable: escape-ncr if the department accepts it`
  );
}

/** How an unencodable character is written under `escape-ncr`: `&#NNNNN;`, or `\uXXXX` pairs inside JSON strings. */
export type EscapeStyle = 'ncr' | 'json';

function escapeCharacter(char: string, style: EscapeStyle): string {
  if (style === 'ncr') return `&#${char.codePointAt(0) ?? 0};`;
  let out = '';
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** Serialized text → the exact bytes to send. Under `fail` the records were checked before, so nothing is lost here. */
export function encodeText(
  text: string,
  encoding: TextEncoding,
  policy: UnencodablePolicy,
  style: EscapeStyle = 'ncr',
): Buffer {
  if (policy === 'escape-ncr' && !fits(text, encoding)) {
    text = Array.from(text)
      .map((char) => (fits(char, encoding) ? char : escapeCharacter(char, style)))
      .join('');
  }
  return iconv.encode(text, encoding);
}

export function decodeText(bytes: Buffer, encoding: TextEncoding): string {
  return iconv.decode(bytes, encoding);
}
