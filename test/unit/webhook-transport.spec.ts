import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookTransport } from '../../src/notifications/webhook-transport';

/** Real local HTTP servers: what the transport does with redirects, big answers, slow answers and egress. */
describe('webhook transport', () => {
  const transport = new WebhookTransport();
  const servers: Server[] = [];
  let requests = 0;

  const serve = async (listener: RequestListener): Promise<{ url: string; host: string }> => {
    const server = createServer((req, res) => {
      requests++;
      listener(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/hook`, host: `127.0.0.1:${port}` };
  };
  const post = (url: string, allowedHosts: string[], timeoutMs = 2_000) =>
    transport.post({
      url,
      headers: { 'content-type': 'application/json' },
      body: '{}',
      timeoutMs,
      allowedHosts,
      pool: 'test',
    });

  beforeEach(() => (requests = 0));
  afterAll(async () => {
    transport.close();
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('does not follow redirects: the 3xx is the answer', async () => {
    const target = await serve((_req, res) => res.writeHead(200).end('ok'));
    const redirecting = await serve((_req, res) => res.writeHead(307, { location: target.url }).end());
    const answer = await post(redirecting.url, [redirecting.host, target.host]);
    expect(answer.status).toBe(307);
    expect(requests).toBe(1);
  });

  it('caps the answer and keeps a short, masked excerpt', async () => {
    const big = await serve((_req, res) => {
      res.writeHead(500);
      res.write('phone 13812345678 ');
      res.end('x'.repeat(1024 * 1024));
    });
    const answer = await post(big.url, [big.host]);
    expect(answer.status).toBe(500);
    expect(answer.excerpt.length).toBeLessThanOrEqual(512);
    expect(answer.excerpt).toContain('138****5678');
  });

  it('reads Retry-After', async () => {
    const busy = await serve((_req, res) => res.writeHead(429, { 'retry-after': '7' }).end());
    expect(await post(busy.url, [busy.host])).toMatchObject({ status: 429, retryAfterMs: 7_000 });
  });

  it('fails a call without an answer in time', async () => {
    const slow = await serve(() => undefined);
    await expect(post(slow.url, [slow.host], 300)).rejects.toThrow('no answer within 300 ms');
  });

  it('refuses a host:port outside allowedHosts before connecting', async () => {
    const other = await serve((_req, res) => res.writeHead(200).end());
    await expect(post(other.url, ['127.0.0.1:1'])).rejects.toThrow(/allowedHosts/);
    expect(requests).toBe(0);
  });
});
