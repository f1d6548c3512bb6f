import { connect, type LookupFunction, type Socket } from 'node:net';

/** An HTTP proxy on the department's network path (a 前置机 or forward proxy). */
export interface ProxySettings {
  url: URL;
  username?: string;
  password?: string;
}

export class ProxyTunnelError extends Error {
  constructor(
    message: string,
    readonly proxyStatus?: number,
  ) {
    super(message);
    this.name = 'ProxyTunnelError';
  }
}

/** Proxy answers are a status line and a few headers; anything longer is not a proxy talking. */
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Opens a TCP tunnel to host:port through the proxy with HTTP CONNECT. Used for plain HTTP too, so
 * the proxy only ever sees the target it is asked to connect to, and TLS stays end to end.
 */
export function openTunnel(
  proxy: ProxySettings,
  target: { host: string; port: number },
  lookup: LookupFunction,
  timeoutMs = 15_000,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const port = Number(proxy.url.port) || (proxy.url.protocol === 'https:' ? 443 : 80);
    const socket = connect({ host: proxy.url.hostname.replace(/^\[(.*)\]$/, '$1'), port, lookup });
    const authority = target.host.includes(':')
      ? `[${target.host}]:${target.port}`
      : `${target.host}:${target.port}`;
    const chunks: Buffer[] = [];
    let received = 0;
    const fail = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      const head = Buffer.concat(chunks);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (received > MAX_HEADER_BYTES) fail(new ProxyTunnelError('proxy answer header too long'));
        return;
      }
      cleanup();
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
      if (status !== 200) {
        socket.destroy();
        reject(
          new ProxyTunnelError(
            `proxy refused CONNECT ${authority}: ${statusLine || 'no status line'}`,
            status || undefined,
          ),
        );
        return;
      }
      // Bytes after the header already belong to the tunnelled connection.
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    const onError = (error: Error) => fail(new ProxyTunnelError(`proxy ${proxy.url.host}: ${error.message}`));
    const onClose = () =>
      fail(new ProxyTunnelError(`proxy ${proxy.url.host} closed the connection before answering`));
    const onTimeout = () =>
      fail(new ProxyTunnelError(`proxy ${proxy.url.host} did not answer CONNECT in ${timeoutMs} ms`));
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('timeout', onTimeout);
      socket.setTimeout(0);
    };
    socket.setTimeout(timeoutMs);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('timeout', onTimeout);
    socket.once('connect', () => {
      const headers = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
      if (proxy.username !== undefined) {
        const credentials = Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64');
        headers.push(`Proxy-Authorization: Basic ${credentials}`);
      }
      socket.write(`${headers.join('\r\n')}\r\n\r\n`);
    });
  });
}

/** The department's `network.proxy`, ready for the agents; undefined when it has none. */
export function proxySettings(
  config: { url: string; username?: string; password?: string } | undefined,
): ProxySettings | undefined {
  if (!config) return undefined;
  return { url: new URL(config.url), username: config.username, password: config.password };
}
