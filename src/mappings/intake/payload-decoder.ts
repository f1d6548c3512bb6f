import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as iconv from 'iconv-lite';

export type Decoded = { ok: true; value: unknown } | { ok: false; reason: string };

/** Encodings a source may declare; names are matched case-insensitively. GB2312 text is valid GBK. */
const ENCODINGS: ReadonlyMap<string, string> = new Map([
  ['utf-8', 'utf-8'],
  ['utf8', 'utf-8'],
  ['gbk', 'gbk'],
  ['gb2312', 'gbk'],
  ['cp936', 'gbk'],
  ['x-gbk', 'gbk'],
  ['gb18030', 'gb18030'],
  ['utf-16', 'utf-16le'],
  ['utf-16le', 'utf-16le'],
  ['utf-16be', 'utf-16be'],
]);

const PROLOG_ENCODING = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

/**
 * Never expands entities a document declares itself: with no DOCTYPE allowed (checked before
 * parsing), only the five XML entities and character references remain. Values stay text, so
 * codes such as `01` keep their zeros.
 */
const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
});

/** Bytes → a JSON value or the XML element tree, by the profile's format and the body's encoding. */
export function decodePayload(
  body: Buffer,
  contentType: string | undefined,
  format: 'xml' | 'json',
): Decoded {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const isXml = media === 'application/xml' || media === 'text/xml' || media.endsWith('+xml');
  const isJson = media === 'application/json' || media.endsWith('+json');
  if (media !== '' && (format === 'xml' ? !isXml : !isJson)) {
    return {
      ok: false,
      reason: `content type ${media} is not ${format.toUpperCase()}, which this profile reads`,
    };
  }
  const encoding = detectEncoding(body, contentType, format);
  if (!encoding.ok) return encoding;
  const text = decodeText(body, encoding.value);
  if (!text.ok) return text;
  return format === 'xml' ? parseXml(text.value) : parseJson(text.value);
}

type Found<T> = { ok: true; value: T } | { ok: false; reason: string };

/** BOM first, then (XML) the prolog's encoding, then the content type's charset, else UTF-8. */
function detectEncoding(
  body: Buffer,
  contentType: string | undefined,
  format: 'xml' | 'json',
): Found<string> {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { ok: true, value: 'utf-8' };
  if (body[0] === 0xff && body[1] === 0xfe) return { ok: true, value: 'utf-16le' };
  if (body[0] === 0xfe && body[1] === 0xff) return { ok: true, value: 'utf-16be' };
  const declared =
    (format === 'xml' ? PROLOG_ENCODING.exec(body.subarray(0, 200).toString('latin1'))?.[1] : undefined) ??
    /;\s*charset\s*=\s*"?([A-Za-z0-9._-]+)/i.exec(contentType ?? '')?.[1];
  if (declared === undefined) return { ok: true, value: 'utf-8' };
  const encoding = ENCODINGS.get(declared.toLowerCase());
  if (encoding === undefined) return { ok: false, reason: `encoding ${declared} is not supported` };
  return { ok: true, value: encoding };
}

function decodeText(body: Buffer, encoding: string): Found<string> {
  if (encoding === 'utf-8') {
    try {
      return {
        ok: true,
        value: new TextDecoder('utf-8', { fatal: true }).decode(body).replace(/^\uFEFF/, ''),
      };
    } catch {
      return { ok: false, reason: 'the body is not valid UTF-8 (is the declared encoding right?)' };
    }
  }
  const text = iconv.decode(body, encoding, { stripBOM: true });
  // iconv-lite substitutes U+FFFD for byte sequences the encoding does not have.
  if (text.includes('\uFFFD'))
    return { ok: false, reason: `the body is not valid ${encoding.toUpperCase()}` };
  return { ok: true, value: text };
}

function parseXml(text: string): Decoded {
  // External entities (XXE) and entity expansion (billion laughs) both need a DOCTYPE.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    return { ok: false, reason: 'XML with a DOCTYPE or entity declarations is not accepted' };
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return { ok: false, reason: `not well-formed XML: ${valid.err.msg} (line ${valid.err.line})` };
  }
  return { ok: true, value: xmlParser.parse(text) as unknown };
}

function parseJson(text: string): Decoded {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `not valid JSON: ${(error as Error).message}` };
  }
}
