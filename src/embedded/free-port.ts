import { createServer } from 'node:net';

/** Asks the kernel for an unused loopback port. Another process may still grab it before we bind it. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close((error) => {
        if (error) reject(error);
        else if (port === undefined) reject(new Error('Could not read the port of a loopback listener'));
        else resolve(port);
      });
    });
  });
}
