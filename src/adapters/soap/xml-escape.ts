const NEEDS_ESCAPE = /[&<>"'\t\r\n]/;
const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#x9;',
  '\r': '&#xD;',
  '\n': '&#xA;',
};
const ESCAPED = /[&<>"'\t\r\n]/g;

/**
 * Escapes element text exactly as node-soap's `xmlEscape` does (same characters, same entities, and a
 * value already wrapped in CDATA left as is), so fast-path envelopes equal node-soap's byte for byte.
 * Most values need no escaping: one test, no copy.
 */
export function escapeXmlText(value: string): string {
  if (value.startsWith('<![CDATA[') && value.endsWith(']]>')) return value;
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, (c) => ENTITY[c]) : value;
}
