const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

/** Index just after the `>` closing the tag that starts at `from`, or -1; `>` inside quotes does not count. */
function tagEnd(xml: string, from: number): number {
  let quote = 0;
  for (let i = from; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === QUOTE || c === APOSTROPHE) {
      quote = c;
    } else if (c === GT) {
      return i + 1;
    }
  }
  return -1;
}

function skipPast(xml: string, marker: string, from: number): number {
  const at = xml.indexOf(marker, from);
  return at === -1 ? -1 : at + marker.length;
}

/**
 * Screens a response before any XML parser sees it. Refuses every DOCTYPE (a SOAP message may not
 * have one: this stops XXE and entity expansion whatever the parser does) and nesting deeper than
 * `maxDepth`, in one linear pass with no recursion. Returns the reason for refusing, or undefined.
 * Not a well-formedness check: truncated or broken input passes through for the parser to reject.
 */
export function findXmlHazard(xml: string, maxDepth: number): string | undefined {
  let depth = 0;
  let i = xml.indexOf('<');
  while (i !== -1 && i < xml.length - 1) {
    const next = xml.charCodeAt(i + 1);
    if (next === QUESTION) {
      i = skipPast(xml, '?>', i + 2);
    } else if (next === BANG) {
      if (xml.startsWith('<!--', i)) i = skipPast(xml, '-->', i + 4);
      else if (xml.startsWith('<![CDATA[', i)) i = skipPast(xml, ']]>', i + 9);
      else return 'response contains a DOCTYPE or markup declaration (refused: XXE / entity expansion)';
    } else if (next === SLASH) {
      depth -= 1;
      i = tagEnd(xml, i + 2);
    } else {
      i = tagEnd(xml, i + 1);
      if (i === -1) break;
      if (xml.charCodeAt(i - 2) !== SLASH && ++depth > maxDepth)
        return `response nesting exceeds ${maxDepth} levels`;
    }
    if (i === -1) break;
    i = xml.indexOf('<', i);
  }
  return undefined;
}

/** Cheap test for a SOAP envelope near the start, to tell a fault from an error page on HTTP 4xx/5xx. */
export function looksLikeSoapEnvelope(xml: string): boolean {
  return /<(?:[\w.-]+:)?Envelope[\s>/]/.test(xml.slice(0, 4096));
}

/** Whether the text starts like an XML document at all (after whitespace). */
export function startsLikeXml(xml: string): boolean {
  for (let i = 0; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (c === LT) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return false;
}
