import type { DepartmentStatusReport } from '../sdk/department-adapter';
import type { SoapReceiptOptions, SoapStatusOptions } from './soap-adapter.options';

type Tree = Record<string, unknown>;

/** A dot path into node-soap's result object, as text (`$value` when the element had attributes). */
export function readPath(result: unknown, path: string | undefined): string | undefined {
  if (!path) return undefined;
  let node: unknown = result;
  for (const key of path.split('.'))
    node = node && typeof node === 'object' ? (node as Tree)[key] : undefined;
  if (node && typeof node === 'object' && '$value' in node) node = (node as Tree).$value;
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  return undefined;
}

export type ReceiptReading =
  | { kind: 'accepted'; reference?: string; fields: Tree }
  | { kind: 'refused'; code: string; message: string }
  | { kind: 'unreadable'; reason: string };

/** Reads the operation's answer: accepted (with 受理编号), refused by result code, or not a receipt. */
export function readReceipt(result: unknown, options: SoapReceiptOptions): ReceiptReading {
  if (!result || typeof result !== 'object')
    return { kind: 'unreadable', reason: 'response has no result element' };
  if (options.resultCodeField) {
    const code = readPath(result, options.resultCodeField);
    if (code === undefined)
      return { kind: 'unreadable', reason: `response lacks ${options.resultCodeField}` };
    if (!options.successCodes.includes(code))
      return {
        kind: 'refused',
        code,
        message: readPath(result, options.messageField) ?? `result code ${code}`,
      };
  }
  return { kind: 'accepted', reference: readPath(result, options.referenceField), fields: result as Tree };
}

/** Turns the status operation's answer into a report (raw department status; reverse mapping comes later). */
export function readStatus(
  deliveryId: string,
  result: unknown,
  options: SoapStatusOptions,
): DepartmentStatusReport | undefined {
  const status = readPath(result, options.statusField);
  if (status === undefined) return undefined;
  return {
    deliveryId,
    status,
    receipt: { reference: readPath(result, options.referenceField), fields: result as Tree },
    remark: readPath(result, options.remarkField),
    finishedAt: readPath(result, options.finishedAtField),
  };
}
