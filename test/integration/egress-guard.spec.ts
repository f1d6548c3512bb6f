import type { LookupAddress, LookupOptions } from 'node:dns';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { createEgressGuard, type Resolver } from '../../src/adapters/network/egress-guard';
import { EgressPatternError, parseEgressRule } from '../../src/adapters/network/egress-rules';
import { createHttpAgents } from '../../src/adapters/network/http-agents';
import { EgressDeniedError } from '../../src/adapters/sdk/egress-guard';

/** A fake DNS: fixed answers, and a record of what was asked. */
function fakeDns(table: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string, options: LookupOptions): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const found = table[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found
      .map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
      .filter(({ family }) => !options.family || options.family === family);
  };
  return Object.assign(resolve, { asked });
}

function lookupAll(lookup: LookupFunction, host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    lookup(host, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses as LookupAddress[]),
    ),
  );
}

function lookupOne(lookup: LookupFunction, host: string): Promise<string> {
  return new Promise((resolve, reject) =>
    lookup(host, {}, (error, address) => (error ? reject(error) : resolve(address as string))),
  );
}

describe('egress patterns', () => {
  it('parses every documented form', () => {
    expect(parseEgressRule('civil.gov.local:443')).toMatchObject({
      kind: 'name',
      name: 'civil.gov.local',
      port: 443,
    });
    expect(parseEgressRule('*.gov.local:8443')).toMatchObject({
      kind: 'suffix',
      suffix: 'gov.local',
      port: 8443,
    });
    expect(parseEgressRule('Health.GOV.local.:*')).toMatchObject({
      kind: 'name',
      name: 'health.gov.local',
      port: '*',
    });
    expect(parseEgressRule('10.1.0.0/16:443')).toMatchObject({ kind: 'cidr', port: 443 });
    expect(parseEgressRule('127.0.0.1:18102')).toMatchObject({ kind: 'address', address: '127.0.0.1' });
    expect(parseEgressRule('[::1]:8080')).toMatchObject({ kind: 'address', address: '::1', port: 8080 });
  });

  it.each([
    'civil.gov.local',
    'civil.gov.local:0',
    'civil.gov.local:70000',
    '10.1.0.0/33:443',
    '10.1.0/16:443',
    'a b:80',
    ':80',
  ])('refuses %s', (pattern) => {
    expect(() => parseEgressRule(pattern)).toThrow(EgressPatternError);
  });
});

describe('createEgressGuard', () => {
  const dns = fakeDns({
    'civil.gov.local': ['10.1.2.3'],
    'inside.example': ['10.1.9.9'],
    'outside.example': ['203.0.113.7'],
    'mixed.example': ['203.0.113.8', '10.1.4.4'],
  });

  const guard = createEgressGuard(
    'CIVIL',
    ['civil.gov.local:443', '*.health.local:8443', 'files.local:*', '10.1.0.0/16:443', '192.168.5.5:22'],
    { resolve: dns },
  );

  it('allows names by exact name, suffix and any-port patterns', async () => {
    await expect(guard.assertAllowed('civil.gov.local', 443)).resolves.toBeUndefined();
    await expect(guard.assertAllowed('CIVIL.gov.local.', 443)).resolves.toBeUndefined();
    await expect(guard.assertAllowed('api.health.local', 8443)).resolves.toBeUndefined();
    await expect(guard.assertAllowed('a.b.health.local', 8443)).resolves.toBeUndefined();
    await expect(guard.assertAllowed('files.local', 2121)).resolves.toBeUndefined();
  });

  it('refuses other ports, the bare suffix and look-alike names', async () => {
    await expect(guard.assertAllowed('civil.gov.local', 80)).rejects.toThrow(EgressDeniedError);
    await expect(guard.assertAllowed('health.local', 8443)).rejects.toThrow(EgressDeniedError);
    await expect(guard.assertAllowed('evilhealth.local', 8443)).rejects.toThrow(EgressDeniedError);
  });

  it('checks addresses against CIDR and address patterns', async () => {
    await expect(guard.assertAllowed('10.1.255.3', 443)).resolves.toBeUndefined();
    await expect(guard.assertAllowed('::ffff:10.1.0.1', 443)).resolves.toBeUndefined();
    await expect(guard.assertAllowed('10.2.0.1', 443)).rejects.toThrow(EgressDeniedError);
    await expect(guard.assertAllowed('10.1.0.1', 80)).rejects.toThrow(EgressDeniedError);
    await expect(guard.assertAllowed('192.168.5.5', 22)).resolves.toBeUndefined();
    const error = await guard.assertAllowed('192.168.5.6', 22).catch((e: unknown) => e);
    expect(error).toMatchObject({ host: '192.168.5.6', port: 22, department: 'CIVIL' });
  });

  it('judges an unlisted name by the addresses it resolves to', async () => {
    await expect(guard.assertAllowed('inside.example', 443)).resolves.toBeUndefined();
    await expect(guard.assertAllowed('outside.example', 443)).rejects.toThrow(EgressDeniedError);
  });

  it('does not ask DNS when no address pattern could match the port', async () => {
    dns.asked.length = 0;
    await expect(guard.assertAllowed('outside.example', 9999)).rejects.toThrow(EgressDeniedError);
    expect(dns.asked).toEqual([]);
  });

  it('lookupForPort returns only the allowed addresses of a name', async () => {
    await expect(lookupAll(guard.lookupForPort(443), 'mixed.example')).resolves.toEqual([
      { address: '10.1.4.4', family: 4 },
    ]);
    await expect(lookupOne(guard.lookupForPort(443), 'mixed.example')).resolves.toBe('10.1.4.4');
    await expect(lookupAll(guard.lookupForPort(443), 'outside.example')).rejects.toThrow(EgressDeniedError);
    // The SDK lookup has no port: an address allowed on some port passes.
    await expect(lookupOne(guard.lookup, 'inside.example')).resolves.toBe('10.1.9.9');
  });

  it('an empty allowlist allows nothing', async () => {
    const closed = createEgressGuard('EMPTY', [], { resolve: dns });
    await expect(closed.assertAllowed('127.0.0.1', 80)).rejects.toThrow(EgressDeniedError);
    await expect(closed.assertAllowed('civil.gov.local', 443)).rejects.toThrow(EgressDeniedError);
  });

  it('no network section allows everything and warns once per department', async () => {
    const warn = jest.fn();
    const open = createEgressGuard('OPEN_DEPT', undefined, { resolve: dns, warn });
    createEgressGuard('OPEN_DEPT', undefined, { resolve: dns, warn });
    await expect(open.assertAllowed('203.0.113.9', 1234)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('OPEN_DEPT');
  });
});

describe('localhost and real connections', () => {
  let server: http.Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('ok'));
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (agent: http.Agent, host: string, toPort = port) =>
    new Promise<string>((resolve, reject) => {
      const req = http.get({ host, port: toPort, path: '/', agent }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
    });

  it('resolves localhost with the real resolver and keeps only the allowed address', async () => {
    const guard = createEgressGuard('LOCAL', [`127.0.0.1:${port}`]);
    await expect(guard.assertAllowed('localhost', port)).resolves.toBeUndefined();
    await expect(guard.assertAllowed('localhost', port + 1)).rejects.toThrow(EgressDeniedError);
    const addresses = await lookupAll(guard.lookupForPort(port), 'localhost');
    expect(addresses.map((a) => a.address)).toEqual(['127.0.0.1']);
  });

  it('agents connect to allowed hosts, by address or by name', async () => {
    const agents = createHttpAgents({
      egress: createEgressGuard('LOCAL', [`127.0.0.1:${port}`]),
      maxSockets: 2,
    });
    try {
      await expect(get(agents.http, '127.0.0.1')).resolves.toBe('ok');
      await expect(get(agents.http, 'localhost')).resolves.toBe('ok');
    } finally {
      agents.destroy();
    }
  });

  it('agents refuse a disallowed port or address before any connection', async () => {
    const agents = createHttpAgents({ egress: createEgressGuard('LOCAL', ['127.0.0.1:1']), maxSockets: 2 });
    const before = connections;
    try {
      await expect(get(agents.http, '127.0.0.1')).rejects.toThrow(EgressDeniedError);
      await expect(get(agents.http, 'localhost')).rejects.toThrow(EgressDeniedError);
      expect(connections).toBe(before);
    } finally {
      agents.destroy();
    }
  });
});
