/** A value node-soap writes as element text: its text only depends on the value. */
export type Leaf = string | number | boolean;

export interface MessageShape {
  /** Keys, nesting, array lengths and value kinds: two messages with one signature differ only in leaves. */
  signature: string;
  /** The leaf values in walk order (Object.keys order, then array order). */
  leaves: Leaf[];
}

/** Keys with a meaning of their own to node-soap (attributes, raw XML, text values, RPC xmlns). */
const SPECIAL_KEYS = new Set(['attributes', '$value', '$xml', '_xml', '_xmlns', '$attributes', '__proto__']);
const MAX_DEPTH = 64;

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Describes a mapped message as node-soap would see it when serializing, or undefined when it holds
 * anything whose XML may depend on more than its kind: special keys, Dates, Buffers, class
 * instances, functions, bigints, symbols, very deep nesting. Those go to node-soap unchanged.
 */
export function describeMessage(message: object): MessageShape | undefined {
  const leaves: Leaf[] = [];
  const parts: string[] = [];
  const walk = (value: unknown, depth: number): boolean => {
    switch (typeof value) {
      case 'string':
        parts.push('s');
        leaves.push(value);
        return true;
      case 'number':
        parts.push('n');
        leaves.push(value);
        return true;
      case 'boolean':
        parts.push('b');
        leaves.push(value);
        return true;
      case 'undefined':
        parts.push('u');
        return true;
      case 'object':
        if (value === null) {
          parts.push('z');
          return true;
        }
        if (depth > MAX_DEPTH) return false;
        if (Array.isArray(value)) {
          parts.push(`[${value.length}`);
          for (const item of value) if (!walk(item, depth + 1)) return false;
          parts.push(']');
          return true;
        }
        if (!isPlainObject(value)) return false;
        parts.push('{');
        for (const key of Object.keys(value)) {
          if (SPECIAL_KEYS.has(key)) return false;
          // Length-prefixed, so no key can forge another shape's signature.
          parts.push(`${key.length}:${key}`);
          if (!walk((value as Record<string, unknown>)[key], depth + 1)) return false;
        }
        parts.push('}');
        return true;
      case 'bigint':
      case 'function':
      case 'symbol':
        return false;
    }
  };
  return walk(message, 0) ? { signature: parts.join(''), leaves } : undefined;
}

/** A copy of `message` with every leaf replaced by `placeholder(index)`, in describeMessage's walk order. */
export function withPlaceholders(message: object, placeholder: (index: number) => string): object {
  let index = 0;
  const copy = (value: unknown): unknown => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return placeholder(index++);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(copy);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = copy((value as Record<string, unknown>)[key]);
    return out;
  };
  return copy(message) as object;
}
