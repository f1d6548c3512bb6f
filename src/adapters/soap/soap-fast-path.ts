import type { IHeaders, ISecurity } from 'soap';
import { EnvelopeTemplates } from './envelope-template';
import type { SoapAdapterOptions } from './soap-adapter.options';
import { SOAP_CALL_OPTION, SoapCall } from './soap-call';
import type { LoadedSoapClient } from './soap-client-loader';
import { type SoapAnswer, SoapResponseReader } from './soap-response-reader';
import { UsernameTokenHeader } from './username-token';

/** What the fast path sends for one message: node-soap's envelope and HTTP headers. */
export interface FastRequest {
  envelope: string;
  headers: IHeaders;
}

/** The node-soap options the fast path reproduces; with any other value it stays out of the way. */
interface WsdlOptions {
  escapeXML?: boolean;
  useEmptyTag?: boolean;
  attributesKey?: string;
  valueKey?: string;
  xmlKey?: string;
  overrideElementKey?: Record<string, string>;
  preserveWhitespace?: boolean;
  customDeserializer?: unknown;
}

function supportsWsdlOptions(options: WsdlOptions): boolean {
  return (
    options.escapeXML === true &&
    !options.useEmptyTag &&
    options.attributesKey === 'attributes' &&
    options.valueKey === '$value' &&
    options.xmlKey === '$xml' &&
    Object.keys(options.overrideElementKey ?? {}).length === 0 &&
    !options.preserveWhitespace &&
    !options.customDeserializer
  );
}

class FastOperation {
  headers?: IHeaders;
  readonly templates: EnvelopeTemplates;
  readonly reader: SoapResponseReader;

  constructor(loaded: LoadedSoapClient, operation: string, outputName: string, withSecurity: boolean) {
    this.templates = new EnvelopeTemplates((message, security) => {
      const rendered = renderWithNodeSoap(loaded, operation, message, security);
      this.headers ??= rendered?.headers;
      return rendered?.envelope;
    }, withSecurity);
    this.reader = new SoapResponseReader(outputName, (xml) => loaded.client.wsdl.xmlToObject(xml));
  }
}

/**
 * node-soap's envelope for `message`, built by the department's own client in a dry run, with
 * `security` in place of the WS-Security header (node-soap reads the header from client.security,
 * swapped for the length of this synchronous call).
 */
function renderWithNodeSoap(
  loaded: LoadedSoapClient,
  operation: string,
  message: object,
  security: string,
): { envelope: string; headers: IHeaders } | undefined {
  const client = loaded.client as unknown as { security?: ISecurity; setSecurity(s: ISecurity): void };
  const saved = client.security;
  const call = new SoapCall(new AbortController().signal);
  call.dryRun = true;
  if (saved) client.setSecurity({ toXML: () => security });
  try {
    // node-soap builds the envelope and hands it to the transport before returning: no await needed.
    loaded.methods[operation](message, () => undefined, { [SOAP_CALL_OPTION]: call });
  } catch {
    return undefined;
  } finally {
    if (saved) client.setSecurity(saved);
  }
  return call.sent && call.headers
    ? { envelope: call.sent.toString('utf8'), headers: call.headers }
    : undefined;
}

/**
 * Calls without node-soap on the hot path, for what it supports: envelopes from per-shape templates
 * that node-soap itself rendered and that were proven equal to its output (see EnvelopeTemplates),
 * the WS-Security UsernameToken written like node-soap's WSSecurity, and responses of the plain XML
 * subset read like node-soap's parser does (see SoapResponseReader). Everything else — messages with
 * attributes, `$xml`/`$value`, Dates or other objects; responses with attributes, CDATA, comments,
 * typed or repeated-by-schema elements, or over 64 KiB; operations without output; node-soap options
 * we do not reproduce — goes through node-soap exactly as before.
 */
export class SoapFastPath {
  private readonly operations = new Map<string, FastOperation | null>();
  private readonly token?: UsernameTokenHeader;
  private readonly supported: boolean;

  constructor(
    private readonly loaded: LoadedSoapClient,
    options: SoapAdapterOptions,
  ) {
    this.supported = supportsWsdlOptions(loaded.client.wsdl.options as WsdlOptions);
    if (options.security.type === 'usernameToken') this.token = new UsernameTokenHeader(options.security);
  }

  /** node-soap's envelope and headers for this call, or undefined to let node-soap build them. */
  request(operation: string, message: object): FastRequest | undefined {
    const fast = this.operation(operation);
    const envelope = fast?.templates.build(message, () => this.token!.toXML());
    return envelope !== undefined && fast?.headers ? { envelope, headers: fast.headers } : undefined;
  }

  /** node-soap's reading of the response, or undefined to let node-soap read it. */
  read(operation: string, xml: string): SoapAnswer | undefined {
    return this.operation(operation)?.reader.read(xml);
  }

  private operation(name: string): FastOperation | undefined {
    let fast = this.operations.get(name);
    if (fast === undefined) {
      const outputName = this.loaded.bindings[name]?.output?.$name;
      fast =
        this.supported && outputName && this.loaded.methods[name]
          ? new FastOperation(this.loaded, name, outputName, this.token !== undefined)
          : null;
      this.operations.set(name, fast);
    }
    return fast ?? undefined;
  }
}
