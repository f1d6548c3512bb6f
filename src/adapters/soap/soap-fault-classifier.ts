import type { SoapFaultRule } from './soap-adapter.options';

export interface SoapFaultInfo {
  /** SOAP 1.1 faultcode (`soap:Client.ValidationFailed`), or SOAP 1.2 `Value/Subcode…` (`soap:Sender/tns:NotFound`). */
  code: string;
  /** faultstring (1.1) or Reason/Text (1.2). */
  message: string;
}

type Tree = Record<string, unknown>;

/** node-soap leaves text as a string, or `{ attributes, $value }` when the element has attributes. */
function text(node: unknown): string | undefined {
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (node && typeof node === 'object') return text((node as Tree).$value);
  return undefined;
}

function child(node: unknown, key: string): unknown {
  return node && typeof node === 'object' ? (node as Tree)[key] : undefined;
}

/**
 * The department's SOAP Fault, if `error` is one. Only node-soap's real fault error (an Error whose
 * `root` holds the parsed Envelope/Body/Fault) counts: node-soap reports unparseable XML as a fake
 * fault object with code 500, which must not pass for the department's answer.
 */
export function extractFault(error: unknown): SoapFaultInfo | undefined {
  if (!(error instanceof Error)) return undefined;
  const fault = child(child(child((error as { root?: unknown }).root, 'Envelope'), 'Body'), 'Fault');
  if (!fault || typeof fault !== 'object') return undefined;
  const code11 = text(child(fault, 'faultcode'));
  if (code11 !== undefined) return { code: code11, message: text(child(fault, 'faultstring')) ?? '' };
  const codes: string[] = [];
  for (let code = child(fault, 'Code'); code && codes.length < 8; code = child(code, 'Subcode')) {
    const value = text(child(code, 'Value'));
    if (value !== undefined) codes.push(value);
  }
  const message = text(child(child(fault, 'Reason'), 'Text')) ?? '';
  return { code: codes.join('/') || 'unknown', message };
}

const DEFAULT_RULES: readonly SoapFaultRule[] = [
  { match: '^(?:[\\w.-]+:)?(?:Client|Sender)\\b', field: 'faultcode', outcome: 'permanent' },
  { match: '^(?:[\\w.-]+:)?(?:Server|Receiver)\\b', field: 'faultcode', outcome: 'transient' },
];

/**
 * Decides whether a department's fault is worth retrying: configured rules first, then SOAP's own
 * convention (Client/Sender = the message is wrong, Server/Receiver = the department is). Anything
 * unmatched (VersionMismatch, MustUnderstand, vendor codes) is transient, so it is retried and alerts.
 */
export class SoapFaultClassifier {
  private readonly rules: {
    pattern: RegExp;
    field: SoapFaultRule['field'];
    outcome: SoapFaultRule['outcome'];
  }[];

  constructor(rules: readonly SoapFaultRule[]) {
    this.rules = [...rules, ...DEFAULT_RULES].map((rule) => ({
      pattern: new RegExp(rule.match),
      field: rule.field ?? 'faultcode',
      outcome: rule.outcome,
    }));
  }

  classify(fault: SoapFaultInfo): 'permanent' | 'transient' {
    for (const rule of this.rules) {
      const onCode = rule.field !== 'faultstring' && rule.pattern.test(fault.code);
      const onString = rule.field !== 'faultcode' && rule.pattern.test(fault.message);
      if (onCode || onString) return rule.outcome;
    }
    return 'transient';
  }
}
