/**
 * Run-time fault modes of the HRSS simulator: how a legacy SOAP system (or the proxy in front of it)
 * misbehaves. Set by method or by `POST /__control/fault` with the same JSON.
 */
export const FAULT_MODES = [
  'none',
  /** 503 from the proxy, nothing processed. */
  'down',
  /** Waits `delayMs` before processing. */
  'slow',
  /** `soap:Server.Busy` for the next `count` calls, then normal. */
  'flaky',
  /** Processes (commits), then answers only after `delayMs`: the caller times out not knowing. */
  'ambiguous',
  /** `soap:Server.Unavailable` on every call. */
  'always-failing',
  /** Normal processing, answer encoded in GBK with `encoding="GBK"` prolog and charset. */
  'gbk',
  /** A response whose DOCTYPE declares an external entity pointing at `file`. */
  'xxe',
  /** "Billion laughs" nested entity expansion. */
  'entity-bomb',
  /** A well-formed response of `sizeBytes` (default 20 MiB), streamed. */
  'huge',
  /** `depth` (default 20,000) nested elements inside the Body. */
  'deep',
  /** An nginx-style HTML 502 page. */
  'html-502',
  /** 200 with a body that is not XML (a truncated fault followed by junk). */
  'garbage',
] as const;

export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultSpec {
  mode: FaultMode;
  delayMs?: number;
  count?: number;
  file?: string;
  sizeBytes?: number;
  depth?: number;
}

/** Validates control-endpoint JSON; returns an error message for anything malformed. */
export function parseFaultSpec(input: unknown): FaultSpec | string {
  if (!input || typeof input !== 'object') return 'body must be a JSON object';
  const raw = input as Record<string, unknown>;
  if (typeof raw.mode !== 'string' || !(FAULT_MODES as readonly string[]).includes(raw.mode))
    return `mode must be one of ${FAULT_MODES.join(', ')}`;
  const spec: FaultSpec = { mode: raw.mode as FaultMode };
  for (const key of ['delayMs', 'count', 'sizeBytes', 'depth'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      return `${key} must be a non-negative integer`;
    spec[key] = value;
  }
  if (raw.file !== undefined) {
    if (typeof raw.file !== 'string') return 'file must be a string';
    spec.file = raw.file;
  }
  return spec;
}

const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const TNS = 'urn:hrss:unemployment:v1';

function envelope(inner: string, prologue = ''): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>${prologue}` +
    `<soap:Envelope xmlns:soap="${SOAP11_NS}" xmlns:tns="${TNS}"><soap:Body>${inner}</soap:Body></soap:Envelope>`
  );
}

function receipt(message: string): string {
  return (
    '<tns:SubmitUnemploymentRegistrationResponse><tns:resultCode>0000</tns:resultCode>' +
    `<tns:resultMessage>${message}</tns:resultMessage><tns:businessNo>HOSTILE</tns:businessNo>` +
    '</tns:SubmitUnemploymentRegistrationResponse>'
  );
}

export function xxeBody(file: string): string {
  return envelope(receipt('&xxe;'), `<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file://${file}">]>`);
}

export function entityBombBody(): string {
  const levels = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return envelope(receipt('&lol9;'), `<!DOCTYPE soap:Envelope [${levels.join('')}]>`);
}

export function deepBody(depth: number): string {
  return envelope(`${'<tns:n>'.repeat(depth)}x${'</tns:n>'.repeat(depth)}`);
}

/** Head and tail of the `huge` response; the middle is filler streamed in chunks. */
export function hugeBodyParts(): { head: string; tail: string } {
  const [head, tail] = envelope(receipt('\u0000')).split('\u0000');
  return { head, tail };
}

export const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Looks like the start of a SOAP fault, then breaks off into bytes no XML parser accepts. */
export const GARBAGE = Buffer.concat([
  Buffer.from(`<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><soap:Fault><faultcode>soap:Cl`),
  Buffer.from([0x00, 0xff, 0xfe, 0x3c, 0x3c, 0x26]),
  Buffer.from(' <<garbage & junk>> '),
]);
