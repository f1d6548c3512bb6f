import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type Client,
  createClientAsync,
  type IWSDLCache,
  type SoapMethod,
  type WSDL,
  WSSecurity,
} from 'soap';
import type { SoapAdapterOptions } from './soap-adapter.options';
import type { SoapHttpTransport } from './soap-http-transport';

export interface LoadedSoapClient {
  client: Client;
  /** The endpoint calls go to: the override, else the WSDL port's address. */
  endpoint: string;
  /** The selected port's operations, bound to `endpoint`. */
  methods: Record<string, SoapMethod>;
  /** The selected binding's operation descriptions (the fast path reads each output element's name). */
  bindings: Record<string, { output?: { $name?: string } }>;
}

/*
 * Parsed WSDLs, shared by departments using the same file. A node-soap Client writes options such as
 * forceSoap12Headers into the WSDL object it is built on, so entries are kept apart by SOAP version
 * (and by allowRemoteWsdl, so a WSDL with remote imports never reaches a department that forbids them);
 * and a WSDL enters the cache only after a client was built from it, so a broken file is re-read
 * (and reported) every time instead of being served from the cache.
 */
const parsedWsdls = new Map<string, WSDL>();

function scopedCache(scope: string, pending: Map<string, WSDL>): IWSDLCache {
  return {
    has: (key) => parsedWsdls.has(scope + key),
    get: (key) => parsedWsdls.get(scope + key)!,
    set: (key, wsdl) => void pending.set(scope + key, wsdl),
  };
}

function isRemote(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

async function createClient(options: SoapAdapterOptions, location: string, transport: SoapHttpTransport) {
  // The file's mtime is part of the key, so an edited WSDL is parsed again on the next create.
  const version = isRemote(location) ? 'remote' : (await stat(location)).mtimeMs;
  const pending = new Map<string, WSDL>();
  const client = await createClientAsync(
    location,
    {
      httpClient: transport,
      wsdlCache: scopedCache(`${options.soapVersion}|${options.allowRemoteWsdl}|${version}|`, pending),
      forceSoap12Headers: options.soapVersion === '1.2',
      wsdl_options: {
        overrideImportLocation: (resolved: string) => {
          if (isRemote(resolved) && !options.allowRemoteWsdl)
            throw new Error(`import of remote ${resolved} refused (allowRemoteWsdl is false)`);
          return resolved;
        },
      },
    },
    options.endpoint,
  );
  for (const [key, wsdl] of pending) parsedWsdls.set(key, wsdl);
  return client;
}

function pick<T>(entries: Record<string, T>, wanted: string | undefined, what: string): [string, T] {
  const names = Object.keys(entries);
  const name = wanted ?? names[0];
  if (name === undefined || !(name in entries))
    throw new Error(`${what} ${wanted ?? '(any)'} not found; the WSDL has ${names.join(', ') || 'none'}`);
  return [name, entries[name]];
}

function configure(client: Client, options: SoapAdapterOptions): void {
  const security = options.security;
  if (security.type === 'usernameToken') {
    client.setSecurity(
      new WSSecurity(security.username ?? '', security.password ?? '', {
        passwordType: security.passwordType,
        hasTimeStamp: security.timestamp,
        mustUnderstand: security.mustUnderstand,
      }),
    );
  }
  for (const header of options.soapHeaders) client.addSoapHeader(header);
  for (const [name, value] of Object.entries(options.httpHeaders)) client.addHttpHeader(name, String(value));
}

/**
 * Builds the department's node-soap client once, from a local WSDL (remote only when allowed),
 * with our transport. Any problem becomes one Error naming the department and the file.
 */
export async function loadSoapClient(
  department: string,
  configDir: string,
  options: SoapAdapterOptions,
  transport: SoapHttpTransport,
): Promise<LoadedSoapClient> {
  const fail = (reason: string, cause?: unknown): never => {
    throw new Error(`department ${department}: cannot use WSDL ${options.wsdl}: ${reason}`, { cause });
  };
  if (isRemote(options.wsdl) && !options.allowRemoteWsdl)
    fail('it is remote; set allowRemoteWsdl: true to fetch it at start-up');
  const location = isRemote(options.wsdl) ? options.wsdl : resolve(configDir, options.wsdl);
  let client: Client;
  try {
    client = await createClient(options, location, transport);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), error);
  }
  try {
    const [serviceName, service] = pick(client.wsdl.definitions.services, options.service, 'service');
    const [portName, port] = pick(service.ports, options.port, 'port');
    for (const operation of [options.operation, options.statusOperation]) {
      if (operation !== undefined && !port.binding.methods[operation])
        throw new Error(`operation ${operation} not found in port ${portName}`);
    }
    const bound = client as unknown as Record<string, Record<string, Record<string, SoapMethod>> | undefined>;
    const methods = bound[serviceName]?.[portName];
    const endpoint = options.endpoint ?? port.location;
    if (!methods || !endpoint)
      throw new Error(`port ${portName} has no address and no endpoint is configured`);
    if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol))
      throw new Error(`endpoint ${endpoint} is not an http(s) URL`);
    configure(client, options);
    return { client, endpoint, methods, bindings: port.binding.methods };
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), error);
  }
}
