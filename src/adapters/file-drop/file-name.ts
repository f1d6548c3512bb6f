import { randomBytes } from 'node:crypto';

/**
 * Allowed `fileName` templates: letters, digits, `_ - .` and the known placeholders, no leading dot
 * (hidden files are temp names to departments) and no `..`.
 */
export const FILE_NAME_TEMPLATE =
  /^(?!\.)(?!.*\.\.)(?:[\p{L}\p{N}_.-]|\{(?:deliveryId|batchId|date|seq)\})+$/u;

const PLACEHOLDER = /\{(deliveryId|batchId|date|seq)\}/g;

export interface FileNameValues {
  deliveryId: string;
  batchId: string;
  /** yyyyMMdd in the department's time zone. */
  date: string;
  seq: string;
}

/**
 * Placeholder values come from data (delivery ids arrive in messages and replays), so only ASCII
 * letters, digits, `_` and `-` survive: no dot, separator or control character can reach a path.
 */
export function sanitizeFileNamePart(value: string, maxLength = 64): string {
  const cleaned = value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, maxLength);
  return cleaned.length > 0 ? cleaned : '_';
}

export function renderFileName(template: string, values: FileNameValues): string {
  const name = template.replace(PLACEHOLDER, (_match, key: keyof FileNameValues) =>
    sanitizeFileNamePart(values[key]),
  );
  assertSafeFileName(name);
  return name;
}

/** Last line of defence for any name joined onto a directory (also result names listed from a server). */
export function assertSafeFileName(name: string): void {
  // eslint-disable-next-line no-control-regex
  const unsafe = /[/\\\u0000-\u001f\u007f]/.test(name) || name === '' || name === '.' || name.includes('..');
  if (unsafe || Buffer.byteLength(name) > 255) throw new Error(`unsafe file name ${JSON.stringify(name)}`);
}

const TEMP_SUFFIXES = ['.part', '.tmp'];

/** Hidden and `.part`: departments skip both. Random, so two attempts of one delivery never share a temp file. */
export function tempNameFor(finalName: string): string {
  return `.${finalName}.${randomBytes(4).toString('hex')}.part`;
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') || TEMP_SUFFIXES.some((suffix) => name.toLowerCase().endsWith(suffix));
}

/** `RESULT_*.csv` → an anchored RegExp; only `*` and `?` are special. */
export function globToRegExp(glob: string): RegExp {
  const source = Array.from(glob)
    .map((char) =>
      char === '*' ? '[^/]*' : char === '?' ? '[^/]' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, 'u');
}
