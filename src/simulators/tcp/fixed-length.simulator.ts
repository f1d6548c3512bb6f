import { decode, encode } from 'iconv-lite';
import { createServer, type Server } from 'node:net';
import { frame, readFrame } from '../../adapters/examples/fixed-length-tcp/fixed-width-codec';

/**
 * A legacy department on raw TCP with fixed-length GBK messages: the first 36 bytes are the
 * 流水号 (idempotency key); the same key again gets the same reference. `busy` answers 9001.
 */
export class FixedLengthSimulator {
  private server?: Server;
  private readonly references = new Map<string, string>();
  busy = false;
  received: string[] = [];
  duplicates = 0;

  async start(): Promise<number> {
    this.server = createServer((socket) => {
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        const body = readFrame(buffer);
        if (!body) return;
        const text = decode(body, 'gbk');
        this.received.push(text);
        const key = text.slice(0, 36).trim();
        let answer: string;
        if (this.busy) answer = `9001${''.padEnd(20)}系统繁忙`;
        else {
          if (this.references.has(key)) this.duplicates++;
          const reference =
            this.references.get(key) ?? `TCP${String(this.references.size + 1).padStart(8, '0')}`;
          this.references.set(key, reference);
          answer = `0000${reference.padEnd(20)}受理成功`;
        }
        socket.end(frame(encode(answer, 'gbk')));
      });
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Distinct cases the department holds. */
  get casesCreated(): number {
    return this.references.size;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
