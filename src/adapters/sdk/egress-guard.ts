import type { LookupFunction } from 'node:net';

/**
 * The restricted private network: a department's adapters may connect only to its allowedHosts,
 * checked after DNS resolution so that a name cannot smuggle in another address.
 */
export interface EgressGuard {
  /** Throws EgressDeniedError unless host:port is allowed (by name or resolved address). */
  assertAllowed(host: string, port: number): Promise<void>;
  /** A dns.lookup replacement for http(s).Agent / net.connect that refuses disallowed addresses. */
  lookup: LookupFunction;
}

export class EgressDeniedError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly department: string,
  ) {
    super(`egress to ${host}:${port} is not in the allowedHosts of department ${department}`);
    this.name = 'EgressDeniedError';
  }
}
