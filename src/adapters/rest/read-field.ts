/**
 * Reads one field of a parsed answer by JSON pointer (`/data/no`, RFC 6901) or dotted path
 * (`data.no`, `items.0.no`). Missing or non-container steps give undefined.
 */
export function readField(root: unknown, path: string): unknown {
  const segments = path.startsWith('/')
    ? path
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    : path.split('.');
  let node = root;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(segment)) return undefined;
      node = node[Number(segment)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return node;
}

/** A field as text when it is a string or number (references are sometimes numeric). */
export function readText(root: unknown, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const value = readField(root, path);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}
