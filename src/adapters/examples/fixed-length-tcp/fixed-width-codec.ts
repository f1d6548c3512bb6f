import { decode, encode } from 'iconv-lite';

/** Pads each value with spaces to its byte width; a value that does not fit is refused, never cut. */
export function encodeFixedWidth(
  record: Record<string, unknown>,
  fields: ReadonlyArray<{ name: string; width: number }>,
  encoding: string,
): Buffer {
  const parts = fields.map(({ name, width }) => {
    const text = scalarText(record[name], name);
    const bytes = encode(text, encoding);
    if (decode(bytes, encoding) !== text)
      throw new RangeError(`field ${name} has a character ${encoding} cannot hold`);
    if (bytes.length > width)
      throw new RangeError(`field ${name} needs ${bytes.length} bytes, the layout gives it ${width}`);
    return Buffer.concat([bytes, Buffer.alloc(width - bytes.length, 0x20)]);
  });
  return Buffer.concat(parts);
}

/** A frame is a 4-digit ASCII length followed by that many bytes. */
export function frame(body: Buffer): Buffer {
  if (body.length > 9999) throw new RangeError('message longer than 9999 bytes');
  return Buffer.concat([Buffer.from(String(body.length).padStart(4, '0'), 'ascii'), body]);
}

/** Reads one frame from the bytes received so far; undefined until it is complete. */
export function readFrame(buffer: Buffer): Buffer | undefined {
  if (buffer.length < 4) return undefined;
  const length = Number(buffer.subarray(0, 4).toString('ascii'));
  if (!Number.isInteger(length)) throw new Error('bad frame header');
  return buffer.length >= 4 + length ? buffer.subarray(4, 4 + length) : undefined;
}

function scalarText(value: unknown, name: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new RangeError(`field ${name} is not a scalar`);
}
