import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { EgressDeniedError, type EgressGuard } from '../sdk/egress-guard';
import {
  addressAllowed,
  hasAddressRules,
  nameAllowed,
  normalizeAddress,
  normalizeHost,
  parseEgressRule,
  type EgressRule,
} from './egress-rules';

/** Resolves a name to all its addresses (dns.lookup semantics, i.e. /etc/hosts included). */
export type Resolver = (hostname: string, options: LookupOptions) => Promise<LookupAddress[]>;

export interface EgressGuardOptions {
  /** Defaults to dns.lookup with `all: true`; tests inject fixed answers. */
  resolve?: Resolver;
  /** Receives the one-time warning of an open (no `network` section) department. */
  warn?: (message: string) => void;
}

/** An EgressGuard that also knows the port when a connection resolves its host. */
export interface PortAwareEgressGuard extends EgressGuard {
  /** Like `lookup`, but only returns addresses allowed for this port. */
  lookupForPort(port: number): LookupFunction;
  /** Synchronous check of an address literal (connections to IPs skip lookup): the error, or undefined. */
  checkAddress(address: string, port: number): EgressDeniedError | undefined;
}

export const isPortAware = (guard: EgressGuard): guard is PortAwareEgressGuard =>
  typeof (guard as Partial<PortAwareEgressGuard>).lookupForPort === 'function';

const defaultResolve: Resolver = (hostname, options) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

// Departments already warned about in this process: adapters are rebuilt on config reload.
const warnedOpen = new Set<string>();

/**
 * Builds the guard for one department. Decision on an open network: `allowedHosts` undefined means
 * the department config has no `network` section at all, which we treat as "not restricted yet"
 * (local development, departments migrated from before the allowlist existed): everything is
 * allowed and a warning is logged once per department and process. An explicit empty list
 * (`network: { allowedHosts: [] }`) allows nothing. Invalid entries throw EgressPatternError.
 */
export function createEgressGuard(
  departmentCode: string,
  allowedHosts: readonly string[] | undefined,
  options: EgressGuardOptions = {},
): PortAwareEgressGuard {
  const resolve = options.resolve ?? defaultResolve;
  if (allowedHosts === undefined) {
    if (!warnedOpen.has(departmentCode)) {
      warnedOpen.add(departmentCode);
      const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'TongbanEgress'));
      warn(`department ${departmentCode} has no network section: outbound connections are not restricted`);
    }
    return new OpenEgressGuard(resolve);
  }
  return new AllowlistEgressGuard(departmentCode, allowedHosts.map(parseEgressRule), resolve);
}

/** Convenience for callers holding the DepartmentConfig: `network` absent → open, see above. */
export function createDepartmentEgressGuard(
  department: { code: string; network?: { allowedHosts: string[] } },
  options: EgressGuardOptions = {},
): PortAwareEgressGuard {
  return createEgressGuard(department.code, department.network?.allowedHosts, options);
}

/**
 * A connection to host:port is allowed when the name matches a name/suffix rule (the operator
 * trusts that name), or else for those resolved addresses that match an address/CIDR rule: the
 * check runs on the addresses actually connected to, so no name can smuggle in another address.
 */
class AllowlistEgressGuard implements PortAwareEgressGuard {
  readonly lookup: LookupFunction;

  constructor(
    private readonly department: string,
    private readonly rules: readonly EgressRule[],
    private readonly resolve: Resolver,
  ) {
    // The SDK lookup has no port: it allows what some rule allows on any port. Agents use lookupForPort.
    this.lookup = this.makeLookup(undefined);
  }

  async assertAllowed(host: string, port: number): Promise<void> {
    const name = normalizeHost(host);
    if (isIP(name)) {
      if (!addressAllowed(this.rules, name, port)) throw this.denied(host, port);
      return;
    }
    if (nameAllowed(this.rules, name, port)) return;
    // No address rule for this port: refuse without asking DNS.
    if (!hasAddressRules(this.rules, port)) throw this.denied(host, port);
    const allowed = this.filter(name, await this.resolve(name, {}), port);
    if (allowed.length === 0) throw this.denied(host, port);
  }

  lookupForPort(port: number): LookupFunction {
    return this.makeLookup(port);
  }

  checkAddress(address: string, port: number): EgressDeniedError | undefined {
    return addressAllowed(this.rules, normalizeHost(address), port) ? undefined : this.denied(address, port);
  }

  private makeLookup(port: number | undefined): LookupFunction {
    return (hostname, options, callback) => {
      const name = normalizeHost(hostname);
      const answer = async (): Promise<LookupAddress[]> => {
        if (!isIP(name) && !nameAllowed(this.rules, name, port) && !hasAddressRules(this.rules, port))
          throw this.denied(hostname, port ?? 0);
        const allowed = this.filter(name, await this.resolve(name, options), port);
        if (allowed.length === 0) throw this.denied(hostname, port ?? 0);
        return allowed;
      };
      reply(answer(), options, callback);
    };
  }

  private filter(name: string, addresses: LookupAddress[], port: number | undefined): LookupAddress[] {
    if (!isIP(name) && nameAllowed(this.rules, name, port)) return addresses;
    return addresses.filter(({ address }) => addressAllowed(this.rules, normalizeAddress(address), port));
  }

  private denied(host: string, port: number): EgressDeniedError {
    return new EgressDeniedError(host, port, this.department);
  }
}

/** No `network` section: plain dns.lookup, nothing refused. */
class OpenEgressGuard implements PortAwareEgressGuard {
  readonly lookup: LookupFunction;

  constructor(resolve: Resolver) {
    this.lookup = (hostname, options, callback) => reply(resolve(hostname, options), options, callback);
  }

  async assertAllowed(): Promise<void> {}

  lookupForPort(): LookupFunction {
    return this.lookup;
  }

  checkAddress(): undefined {
    return undefined;
  }
}

/** Answers a LookupFunction callback in the shape `options.all` asks for. */
function reply(
  addresses: Promise<LookupAddress[]>,
  options: LookupOptions,
  callback: Parameters<LookupFunction>[2],
): void {
  addresses.then(
    (list) => {
      if (list.length === 0)
        return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '');
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    },
    (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : ''),
  );
}
