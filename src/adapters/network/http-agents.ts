import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { isIP, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { isAbsolute, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import type { EgressGuard } from '../sdk/egress-guard';
import { isPortAware } from './egress-guard';
import { normalizeHost } from './egress-rules';
import { openTunnel, type ProxySettings } from './proxy-tunnel';

/** TLS material for a department, as file paths (relative ones against `baseDir`). */
export interface TlsFiles {
  /** PEM bundle of the CAs to trust instead of the public roots (department private CA). */
  ca?: string;
  /** Client certificate and key for mutual TLS. */
  cert?: string;
  key?: string;
  /** Passphrase of the client key, if it is encrypted. */
  passphrase?: string;
}

export interface HttpAgentsOptions {
  egress: EgressGuard;
  /** Sockets per origin; usually the department's delivery concurrency. */
  maxSockets: number;
  tls?: TlsFiles;
  /** Directory relative TLS paths are resolved against (the config dir). */
  baseDir?: string;
  keepAliveMsecs?: number;
  /** Idle socket timeout, ms. */
  timeout?: number;
  /** TLS options already loaded (instead of `tls` file paths). */
  tlsOptions?: https.AgentOptions;
  /** Tunnel every connection through this HTTP proxy (CONNECT); both it and the target must be allowed. */
  proxy?: ProxySettings;
}

export interface HttpAgents {
  http: http.Agent;
  https: https.Agent;
  /** Closes pooled sockets; the agents must not be used afterwards. */
  destroy(): void;
}

type ConnectCallback = (err: Error | null, stream: Duplex) => void;
type Connect = (options: http.ClientRequestArgs) => Duplex | null | undefined;

/**
 * Keep-alive agents whose every new connection passes the egress guard: names through the
 * port-aware lookup (after DNS), address literals (which skip lookup) checked before connecting.
 * With a proxy, every connection is a CONNECT tunnel: the final target is checked first, then the
 * proxy itself, and TLS runs end to end inside the tunnel.
 */
export function createHttpAgents(options: HttpAgentsOptions): HttpAgents {
  const base: http.AgentOptions = {
    keepAlive: true,
    keepAliveMsecs: options.keepAliveMsecs ?? 1_000,
    maxSockets: options.maxSockets,
    scheduling: 'lifo',
    timeout: options.timeout,
  };
  const read = (file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(isAbsolute(file) ? file : resolve(options.baseDir ?? '.', file));
    } catch (error) {
      throw new Error(`cannot read TLS file ${file}: ${(error as Error).message}`);
    }
  };
  const tls = options.tls ?? {};
  const httpsOptions: https.AgentOptions = {
    ...base,
    ca: read(tls.ca),
    cert: read(tls.cert),
    key: read(tls.key),
    passphrase: tls.passphrase,
    rejectUnauthorized: true,
    ...options.tlsOptions,
  };
  const { egress, proxy } = options;

  class GuardedHttpAgent extends http.Agent {
    override createConnection(args: http.ClientRequestArgs, callback?: ConnectCallback) {
      if (proxy) return tunnelledConnect(egress, proxy, args, 80, callback, undefined);
      return guardedConnect(egress, args, 80, callback, (o) => super.createConnection(o));
    }
  }
  class GuardedHttpsAgent extends https.Agent {
    override createConnection(args: https.RequestOptions, callback?: ConnectCallback) {
      if (proxy) return tunnelledConnect(egress, proxy, args, 443, callback, httpsOptions);
      return guardedConnect(egress, args, 443, callback, (o) => super.createConnection(o));
    }
  }

  const agents = { http: new GuardedHttpAgent(base), https: new GuardedHttpsAgent(httpsOptions) };
  return {
    ...agents,
    destroy: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function guardedConnect(
  egress: EgressGuard,
  args: http.ClientRequestArgs,
  defaultPort: number,
  callback: ConnectCallback | undefined,
  connect: Connect,
): Duplex | null | undefined {
  const host = args.host ?? args.hostname ?? 'localhost';
  const port = Number(args.port ?? defaultPort);
  const lookup = isPortAware(egress) ? egress.lookupForPort(port) : egress.lookup;
  if (!isIP(normalizeHost(host))) return connect({ ...args, lookup });

  // An address literal never reaches `lookup`, so it is checked here, before any socket exists.
  if (isPortAware(egress)) {
    const error = egress.checkAddress(host, port);
    return error ? refusedSocket(error) : connect(args);
  }
  if (!callback) throw new Error('an egress guard without checkAddress needs a createConnection callback');
  egress.assertAllowed(host, port).then(
    () => {
      try {
        const socket = connect(args);
        if (socket) callback(null, socket);
      } catch (error) {
        callback(error as Error, undefined as unknown as Duplex);
      }
    },
    (error: Error) => callback(error, undefined as unknown as Duplex),
  );
  return undefined;
}

/** A connection through the proxy: target allowed, proxy allowed, CONNECT, then TLS if https. */
function tunnelledConnect(
  egress: EgressGuard,
  proxy: ProxySettings,
  args: https.RequestOptions,
  defaultPort: number,
  callback: ConnectCallback | undefined,
  tls: https.AgentOptions | undefined,
): Duplex | null | undefined {
  if (!callback) throw new Error('a proxied connection needs a createConnection callback');
  const host = normalizeHost(args.host ?? args.hostname ?? 'localhost');
  const port = Number(args.port ?? defaultPort);
  const proxyHost = normalizeHost(proxy.url.hostname);
  const proxyPort = Number(proxy.url.port) || 80;
  const open = async (): Promise<Duplex> => {
    await egress.assertAllowed(host, port);
    await egress.assertAllowed(proxyHost, proxyPort);
    const lookup = isPortAware(egress) ? egress.lookupForPort(proxyPort) : egress.lookup;
    const socket = await openTunnel(proxy, { host, port }, lookup, args.timeout ?? 15_000);
    if (!tls) return socket;
    return tlsConnect({
      socket,
      servername: isIP(host) ? undefined : host,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      passphrase: tls.passphrase,
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
    });
  };
  open().then(
    (stream) => callback(null, stream),
    (error: Error) => callback(error, undefined as unknown as Duplex),
  );
  return undefined;
}

/**
 * A socket that fails with `error` without ever connecting. Returned rather than passed to the
 * callback: every caller of createConnection (including HTTP interceptors in tests) handles it.
 */
function refusedSocket(error: Error): Duplex {
  const socket = new Socket();
  process.nextTick(() => socket.destroy(error));
  return socket;
}
