import { isIPv4, isIPv6 } from 'node:net';

/** A port, or `*` for any port. */
export type PortMatch = number | '*';

/** One parsed `allowedHosts` entry. */
export type EgressRule =
  | { kind: 'name'; pattern: string; name: string; port: PortMatch }
  /** `*.gov.local:443`: any name ending in `.gov.local`, not `gov.local` itself. */
  | { kind: 'suffix'; pattern: string; suffix: string; port: PortMatch }
  | { kind: 'address'; pattern: string; address: string; port: PortMatch }
  /** IPv4 only: `10.1.0.0/16:443`. */
  | { kind: 'cidr'; pattern: string; network: number; mask: number; port: PortMatch };

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

export class EgressPatternError extends Error {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(`allowedHosts entry "${pattern}": ${reason}`);
    this.name = 'EgressPatternError';
  }
}

/**
 * Parses `host:port`, `*.suffix:port`, `host:*`, `10.1.0.0/16:443` or `[::1]:8080`. The port is
 * mandatory: an entry without one is a config mistake, not "any port".
 */
export function parseEgressRule(pattern: string): EgressRule {
  const text = pattern.trim();
  const colon = text.lastIndexOf(':');
  if (colon <= 0) throw new EgressPatternError(pattern, 'expected host:port (use host:* for any port)');
  const port = parsePort(pattern, text.slice(colon + 1));
  let host = text.slice(0, colon).toLowerCase();

  if (host.startsWith('[') && host.endsWith(']')) {
    const address = host.slice(1, -1);
    if (!isIPv6(address)) throw new EgressPatternError(pattern, `${address} is not an IPv6 address`);
    return { kind: 'address', pattern, address: normalizeAddress(address), port };
  }
  if (host.includes('/')) {
    const [base, bits] = host.split('/');
    const prefix = Number(bits);
    if (!isIPv4(base) || !/^\d{1,2}$/.test(bits) || prefix > 32)
      throw new EgressPatternError(pattern, 'CIDR must be IPv4 a.b.c.d/0-32');
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { kind: 'cidr', pattern, network: (ipv4ToInt(base) & mask) >>> 0, mask, port };
  }
  if (isIPv4(host)) return { kind: 'address', pattern, address: host, port };
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.startsWith('*.')) {
    const suffix = host.slice(2);
    if (!HOST_NAME.test(suffix)) throw new EgressPatternError(pattern, `${suffix} is not a host name`);
    return { kind: 'suffix', pattern, suffix, port };
  }
  if (!HOST_NAME.test(host)) throw new EgressPatternError(pattern, `${host} is not a host name or address`);
  return { kind: 'name', pattern, name: host, port };
}

function parsePort(pattern: string, text: string): PortMatch {
  if (text === '*') return '*';
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new EgressPatternError(pattern, `bad port "${text}"`);
  return port;
}

/** Lower case, no trailing dot, no IPv6 brackets: the form rules compare against. */
export function normalizeHost(host: string): string {
  let out = host.trim().toLowerCase();
  if (out.startsWith('[') && out.endsWith(']')) out = out.slice(1, -1);
  if (out.endsWith('.')) out = out.slice(0, -1);
  return isIPv4(out) || isIPv6(out) ? normalizeAddress(out) : out;
}

/** Canonical address text; IPv4-mapped IPv6 (`::ffff:10.0.0.1`) becomes plain IPv4 so CIDRs apply. */
export function normalizeAddress(address: string): string {
  if (isIPv4(address)) return address;
  // The WHATWG URL parser compresses IPv6 canonically (and turns a mapped IPv4 tail into hex).
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const value = (parseInt(mapped[1], 16) << 16) | parseInt(mapped[2], 16);
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => ((acc << 8) | Number(octet)) >>> 0, 0);
}

/** `port` undefined = the caller does not know it (a bare dns lookup): any rule port matches. */
function portMatches(rule: EgressRule, port: number | undefined): boolean {
  return rule.port === '*' || port === undefined || rule.port === port;
}

/** Whether a (normalized) host name is allowed by a name or suffix rule. */
export function nameAllowed(rules: readonly EgressRule[], name: string, port?: number): boolean {
  return rules.some(
    (rule) =>
      portMatches(rule, port) &&
      ((rule.kind === 'name' && rule.name === name) ||
        (rule.kind === 'suffix' && name.endsWith(`.${rule.suffix}`))),
  );
}

/** Whether a (normalized) address is allowed by an address or CIDR rule. */
export function addressAllowed(rules: readonly EgressRule[], address: string, port?: number): boolean {
  const v4 = isIPv4(address) ? ipv4ToInt(address) : undefined;
  return rules.some(
    (rule) =>
      portMatches(rule, port) &&
      ((rule.kind === 'address' && rule.address === address) ||
        (rule.kind === 'cidr' && v4 !== undefined && (v4 & rule.mask) >>> 0 === rule.network)),
  );
}

/** Whether any address/CIDR rule could match this port, i.e. whether resolving a name is worth it. */
export function hasAddressRules(rules: readonly EgressRule[], port?: number): boolean {
  return rules.some((rule) => (rule.kind === 'address' || rule.kind === 'cidr') && portMatches(rule, port));
}
