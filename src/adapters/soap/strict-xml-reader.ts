/** An element as node-soap's parser leaves it: text, null when empty, an object of children, arrays for repeats. */
export type XmlValue = string | null | XmlTree | XmlValue[];
export interface XmlTree {
  [name: string]: XmlValue;
}

export interface XmlReading {
  /** `{ [root local name]: value }`, like node-soap's `root`. */
  root: XmlTree;
  /** Element names, nesting and empty/non-empty text: responses of one shape read alike. */
  shape: string;
}

const NAME = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/y;
// Values without references or tabs/newlines: no entity decoding or normalization to reproduce.
const ATTRIBUTE =
  /\s+([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*=\s*(?:"([^"<&\t\n\r]*)"|'([^'<&\t\n\r]*)')/y;
const NAMESPACE_DECLARATION = /^xmlns(?::|$)/;
/** Attributes node-soap's parser acts on (multiRef href/id, xsi:nil, xsi:type): left to it. */
const ACTIVE_ATTRIBUTES = new Set(['href', 'id', 'nil', 'type']);
const TAG_END = /\s*(\/?)>/y;
const CLOSE_TAG = /<\/([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*>/y;
const PROLOG = /^<\?xml\s[^<>?]*\?>/;
const NAMED_ENTITIES = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);
/** Characters XML does not allow (sax may let some through; we leave those texts to node-soap). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\]\]>/;

/** The code point of a numeric reference in the one spelling sax accepts in strict mode, or -1. */
function codePoint(reference: string): number {
  const hex = reference.startsWith('#x') || reference.startsWith('#X');
  const digits = reference.slice(hex ? 2 : 1);
  if (!(hex ? /^[0-9a-fA-F]{1,6}$/ : /^\d{1,7}$/).test(digits)) return -1;
  const value = parseInt(digits, hex ? 16 : 10);
  // sax refuses leading zeros (it compares the reference with the number re-spelled) and non-Chars.
  if (value.toString(hex ? 16 : 10) !== digits.toLowerCase()) return -1;
  const isChar =
    value === 0x9 ||
    value === 0xa ||
    value === 0xd ||
    (value >= 0x20 && value <= 0xd7ff) ||
    (value >= 0xe000 && value <= 0xfffd) ||
    (value >= 0x10000 && value <= 0x10ffff);
  return isChar ? value : -1;
}

/** Decoded text, or undefined for anything but the five XML entities and valid character references. */
function decodeText(raw: string): string | undefined {
  if (NOT_XML_CHARS.test(raw)) return undefined;
  let amp = raw.indexOf('&');
  if (amp === -1) return raw;
  let out = '';
  let from = 0;
  while (amp !== -1) {
    const semicolon = raw.indexOf(';', amp);
    if (semicolon === -1 || semicolon - amp > 10) return undefined;
    const reference = raw.slice(amp + 1, semicolon);
    let decoded = NAMED_ENTITIES.get(reference);
    if (decoded === undefined) {
      const value = reference.startsWith('#') ? codePoint(reference) : -1;
      if (value === -1) return undefined;
      decoded = String.fromCodePoint(value);
    }
    out += raw.slice(from, amp) + decoded;
    from = semicolon + 1;
    amp = raw.indexOf('&', from);
  }
  return out + raw.slice(from);
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

interface Frame {
  name: string;
  local: string;
  /** node-soap's `attributes` key comes first, then the children in closing order. */
  children?: XmlTree;
  attributes?: Record<string, string>;
  text: string;
}

function attach(parent: Frame, name: string, value: XmlValue): void {
  const children = (parent.children ??= {});
  const existing = children[name];
  if (!Object.prototype.hasOwnProperty.call(children, name)) children[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else children[name] = [existing, value];
}

/**
 * Reads the plain subset of XML that SOAP responses are made of — elements, attributes with plain
 * values, text with the five entities and character references — into node-soap's object form, in
 * one pass. Anything else (CDATA, comments, processing instructions, DOCTYPE, mixed content, href/id/
 * nil/type attributes, non-ASCII or prototype names, references in attribute values, any
 * malformation) answers undefined, and the caller hands the text to node-soap's own parser.
 */
export function readStrictXml(xml: string): XmlReading | undefined {
  let at = xml.match(PROLOG)?.[0].length ?? 0;
  const stack: Frame[] = [{ name: '', local: '', text: '' }];
  const shape: string[] = [];
  let closedRoot = false;
  while (at < xml.length) {
    const open = xml.indexOf('<', at);
    const text = xml.slice(at, open === -1 ? xml.length : open);
    if (stack.length === 1) {
      if (text.trim() !== '') return undefined; // text outside the root element
    } else stack[stack.length - 1].text += text;
    if (open === -1) break;
    const next = xml.charCodeAt(open + 1);
    if (next === 0x2f /* / */) {
      CLOSE_TAG.lastIndex = open;
      const close = CLOSE_TAG.exec(xml);
      const frame = stack.pop()!;
      if (!close || stack.length === 0 || close[1] !== frame.name) return undefined;
      if (!closeElement(frame, stack[stack.length - 1], shape)) return undefined;
      at = CLOSE_TAG.lastIndex;
      if (stack.length === 1) closedRoot = true;
      continue;
    }
    if (closedRoot) return undefined; // a second root element
    NAME.lastIndex = open + 1;
    const name = NAME.exec(xml)?.[0];
    if (name === undefined) return undefined; // <!…>, <?…?> or a name we do not read
    const local = localName(name);
    if (local in Object.prototype || local === 'attributes') return undefined;
    const frame: Frame = { name, local, text: '' };
    shape.push(`<${local}`);
    let cursor = NAME.lastIndex;
    const seen = new Set<string>();
    for (;;) {
      ATTRIBUTE.lastIndex = cursor;
      const attribute = ATTRIBUTE.exec(xml);
      if (!attribute) break;
      const [, attributeName, doubleQuoted, singleQuoted] = attribute;
      if (seen.has(attributeName)) return undefined;
      seen.add(attributeName);
      cursor = ATTRIBUTE.lastIndex;
      const value = doubleQuoted ?? singleQuoted;
      if (NAMESPACE_DECLARATION.test(attributeName)) {
        // Which URI a prefix names steers node-soap's schema lookup: part of the shape.
        shape.push(` ${attributeName}=${value}`);
        continue;
      }
      if (ACTIVE_ATTRIBUTES.has(localName(attributeName)) || attributeName in Object.prototype)
        return undefined;
      (frame.attributes ??= {})[attributeName] = value;
      shape.push(` @${attributeName}`);
    }
    if (frame.attributes) frame.children = { attributes: frame.attributes };
    TAG_END.lastIndex = cursor;
    const end = TAG_END.exec(xml);
    if (!end) return undefined;
    at = TAG_END.lastIndex;
    if (end[1] === '/') {
      if (!closeElement(frame, stack[stack.length - 1], shape)) return undefined;
      if (stack.length === 1) closedRoot = true;
    } else stack.push(frame);
  }
  const top = stack[0];
  if (stack.length !== 1 || !closedRoot || !top.children) return undefined;
  return { root: top.children, shape: shape.join('') };
}

/** The element's value as node-soap builds it: text, null when empty, `{ attributes, $value }`, or children. */
function closeElement(frame: Frame, parent: Frame, shape: string[]): boolean {
  const decoded = decodeText(frame.text);
  if (decoded === undefined) return false;
  const text = decoded.trim();
  const hasElements = frame.children && Object.keys(frame.children).length > (frame.attributes ? 1 : 0);
  if (hasElements && text !== '') return false; // mixed content: node-soap's handling is its own
  let value: XmlValue;
  if (frame.children) {
    if (text !== '') frame.children.$value = text;
    value = frame.children;
  } else value = text === '' ? null : text;
  shape.push(hasElements ? '>' : text === '' ? '/0>' : '/1>');
  attach(parent, frame.local, value);
  return true;
}
