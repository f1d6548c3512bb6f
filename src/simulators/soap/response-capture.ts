import type { ServerResponse } from 'node:http';

/**
 * Holds back what node-soap writes to `res` so that a fault mode can rewrite it (re-encode as GBK)
 * or release it late (ambiguous): node-soap offers no hook between building and sending a response.
 */
export function captureResponse(res: ServerResponse, release: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const originalWrite = res.write.bind(res);
  const originalEnd = res.end.bind(res);
  const collect = (chunk: unknown): void => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  res.write = ((chunk: unknown) => {
    collect(chunk);
    return true;
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown) => {
    collect(chunk);
    res.write = originalWrite;
    res.end = originalEnd;
    release(Buffer.concat(chunks));
    return res;
  }) as ServerResponse['end'];
}
