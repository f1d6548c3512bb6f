import { readStrictXml, type XmlReading, type XmlTree, type XmlValue } from './strict-xml-reader';

/** node-soap's answer to a call, as data: the operation's result, or its error (a SOAP fault). */
export type SoapAnswer = { ok: true; result: unknown } | { ok: false; error: unknown };

/** Response shapes checked per operation; receipts and faults of one department have a few. */
const MAX_SHAPES = 128;
/** Larger responses go to node-soap: their shape keys would cost more memory than the parse saves. */
const MAX_FAST_CHARS = 64 * 1024;

function isTree(value: XmlValue | undefined): value is XmlTree {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sameValue(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (Object.getPrototypeOf(left) !== Object.getPrototypeOf(right)) return false;
  const leftKeys = Object.keys(left);
  const rightKeys = Object.keys(right);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every(
    (key, i) =>
      key === rightKeys[i] &&
      sameValue((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
  );
}

function text(value: XmlValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The Error node-soap throws for a fault: the message it writes, the parsed document as `root`. */
function faultError(root: XmlTree, fault: XmlTree): Error {
  const code11 = text(fault.faultcode);
  const subcode =
    isTree(fault.Code) && isTree(fault.Code.Subcode) ? text(fault.Code.Subcode.Value) : undefined;
  const code = code11 ?? (isTree(fault.Code) ? `${text(fault.Code.Value)}: ${subcode}` : undefined);
  const reason = text(fault.faultstring) ?? (isTree(fault.Reason) ? text(fault.Reason.Text) : undefined);
  const detail = fault.detail ?? fault.Detail;
  const error = new Error(`${code}: ${reason}${detail ? `: ${JSON.stringify(detail)}` : ''}`);
  return Object.assign(error, { root });
}

/**
 * Reads one operation's responses without node-soap when it can tell they read the same: the
 * strict reader takes the plain XML subset, and the first response of every shape is also parsed
 * by node-soap (`nodeSoapParse`, its xmlToObject) and compared; a shape that differs (typed values
 * such as xsd:int, schema arrays, empty string elements…) stays with node-soap. `read` answers
 * undefined whenever node-soap must read the response: the caller then hands it the same text.
 */
export class SoapResponseReader {
  private readonly shapes = new Map<string, boolean>();

  constructor(
    private readonly outputName: string,
    private readonly nodeSoapParse: (xml: string) => unknown,
  ) {}

  read(xml: string): SoapAnswer | undefined {
    if (xml.length > MAX_FAST_CHARS) return undefined;
    const reading = readStrictXml(xml);
    const envelope = reading?.root.Envelope;
    if (!reading || !isTree(envelope) || !isTree(envelope.Body)) return undefined;
    const body = envelope.Body;
    let answer: SoapAnswer;
    if (Object.prototype.hasOwnProperty.call(body, 'Fault')) {
      if (!isTree(body.Fault)) return undefined;
      answer = { ok: false, error: faultError(reading.root, body.Fault) };
    } else {
      // node-soap's other lookups (names without Response, RPC suffixes) stay with node-soap.
      const result = body[this.outputName];
      if (!result) return undefined;
      answer = { ok: true, result };
    }
    return this.readsAlike(reading, xml) ? answer : undefined;
  }

  private readsAlike(reading: XmlReading, xml: string): boolean {
    let alike = this.shapes.get(reading.shape);
    if (alike === undefined) {
      if (this.shapes.size >= MAX_SHAPES) return false;
      alike = this.nodeSoapReadsAlike(reading.root, xml);
      this.shapes.set(reading.shape, alike);
    }
    return alike;
  }

  private nodeSoapReadsAlike(root: XmlTree, xml: string): boolean {
    try {
      return sameValue(this.nodeSoapParse(xml), root.Envelope);
    } catch (error) {
      // A fault: node-soap throws an Error carrying the whole document.
      const theirs = error instanceof Error ? (error as { root?: unknown }).root : undefined;
      return theirs !== undefined && sameValue(theirs, root);
    }
  }
}
