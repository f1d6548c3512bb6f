import * as iconv from 'iconv-lite';

export type DecodedXml = { ok: true; text: string; charset: string } | { ok: false; reason: string };

const PROLOG_ENCODING = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/;
const CONTENT_TYPE_CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

function bomCharset(bytes: Buffer): string | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/**
 * The charset of an XML response: override, then BOM, then the XML prolog, then the Content-Type
 * charset, then UTF-8. The prolog wins over the header on purpose: legacy stacks often serialize GBK
 * (and say so in the prolog) behind a servlet container that labels everything UTF-8, and the
 * prolog is written by the code that wrote the bytes.
 */
export function detectCharset(bytes: Buffer, contentType: string | undefined, override?: string): string {
  if (override) return override;
  const bom = bomCharset(bytes);
  if (bom) return bom;
  // The prolog is ASCII in every charset we accept, so latin1 reads it without decoding the rest.
  const prolog = PROLOG_ENCODING.exec(bytes.toString('latin1', 0, Math.min(bytes.length, 256)));
  if (prolog) return prolog[1];
  const header = contentType ? CONTENT_TYPE_CHARSET.exec(contentType) : null;
  return header ? header[1] : 'utf-8';
}

function isUtf8(charset: string): boolean {
  const name = charset.toLowerCase();
  return name === 'utf-8' || name === 'utf8';
}

/** Decodes response bytes to text (GBK, GB18030, UTF-8, UTF-16…), without the BOM. */
export function decodeXml(bytes: Buffer, contentType: string | undefined, override?: string): DecodedXml {
  const charset = detectCharset(bytes, contentType, override);
  if (isUtf8(charset)) {
    const start = bomCharset(bytes) === 'utf-8' ? 3 : 0;
    return { ok: true, text: bytes.toString('utf8', start), charset: 'utf-8' };
  }
  const label: string = charset; // encodingExists narrows `charset` to never on the false branch
  if (iconv.encodingExists(charset)) return { ok: true, text: iconv.decode(bytes, charset), charset };
  return { ok: false, reason: `unsupported response charset ${label}` };
}
