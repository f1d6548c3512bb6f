import type { ExprNode } from 'jsonata';
import { asAstNode, type AstNode } from './ast-node';
import type { BuiltinFunction } from '../functions/builtin-functions';

/** Returned at run time when a value needs JSONata's full semantics (sequences, flattening). */
export const FALLBACK: unique symbol = Symbol('jsonata-fallback');

export interface EvalScope {
  ctx: Readonly<Record<string, unknown>>;
  /** `$case` / `$$`: the whole input document. */
  root: unknown;
}

/** May return FALLBACK; then the caller evaluates the same expression with JSONata. */
export type FastFn = (input: unknown, scope: EvalScope) => unknown;

type Compiled = FastFn | undefined;

/** Path steps carry only these keys when they are plain names (no predicates, focus, grouping…). */
const PLAIN_STEP_KEYS = new Set(['type', 'value', 'position']);
const PLAIN_PATH_KEYS = new Set(['type', 'steps', 'position']);

/**
 * Compiles the common subset of JSONata (paths, literals, built-in calls, `? :`, `=`, `!=`, `and`,
 * `or`, `&`) to plain closures with JSONata's semantics; undefined for anything else. JSONata's
 * async evaluator costs ~5 µs per expression, these closures well under 1 µs.
 *
 * `allowArrays`: whether an array may be returned as is (for `each`, which takes the array anyway).
 */
export function compileFast(
  ast: ExprNode,
  functions: Readonly<Record<string, BuiltinFunction>>,
  allowArrays = false,
): FastFn | undefined {
  return new FastCompiler(functions).node(asAstNode(ast), allowArrays);
}

class FastCompiler {
  constructor(private readonly functions: Readonly<Record<string, BuiltinFunction>>) {}

  node(n: AstNode, allowArrays = false): Compiled {
    switch (n.type) {
      case 'string':
      case 'number':
      case 'value': {
        const value: unknown = n.value;
        return () => value;
      }
      case 'variable':
        return this.path({ type: 'path', steps: [n] }, allowArrays);
      case 'path':
        return this.path(n, allowArrays);
      case 'function':
        return this.call(n);
      case 'condition':
        return this.condition(n);
      case 'binary':
        return this.binary(n);
      case 'block':
        return n.expressions?.length === 1 ? this.node(n.expressions[0], allowArrays) : undefined;
      default:
        return undefined;
    }
  }

  private path(n: AstNode, allowArrays: boolean): Compiled {
    if (!Object.keys(n).every((k) => PLAIN_PATH_KEYS.has(k))) return undefined;
    const steps = n.steps ?? [];
    if (!steps.every((s) => Object.keys(s).every((k) => PLAIN_STEP_KEYS.has(k)))) return undefined;
    let start: FastFn = (input) => input;
    let names = steps;
    if (steps[0]?.type === 'variable') {
      const variable = String(steps[0].value);
      if (variable === 'ctx') start = (_input, scope) => scope.ctx;
      else if (variable === 'case' || variable === '$') start = (_input, scope) => scope.root;
      else if (variable !== '') return undefined;
      names = steps.slice(1);
    }
    if (!names.every((s) => s.type === 'name')) return undefined;
    const keys = names.map((s) => String(s.value));
    return (input, scope) => {
      let value = start(input, scope);
      for (const key of keys) {
        if (Array.isArray(value)) return FALLBACK;
        if (value === null || typeof value !== 'object') return undefined;
        value = (value as Record<string, unknown>)[key]; // as JSONata reads it
      }
      if (Array.isArray(value) && (!allowArrays || value.some(Array.isArray))) return FALLBACK;
      return value;
    };
  }

  private call(n: AstNode): Compiled {
    const procedure = n.procedure;
    if (procedure?.type !== 'variable') return undefined;
    const name = String(procedure.value);
    // $string() without an argument reads the context, which the subset does not model.
    if (name === 'string' && n.arguments?.length !== 1) return undefined;
    const fn = name === 'string' ? jsonataString : this.functions[name];
    if (fn === undefined) return undefined;
    const args = (n.arguments ?? []).map((a) => this.node(a));
    if (!args.every((a): a is FastFn => a !== undefined)) return undefined;
    switch (args.length) {
      case 1: {
        const [a] = args;
        return (input, scope) => {
          const x = a(input, scope);
          return x === FALLBACK ? FALLBACK : fn(x);
        };
      }
      case 2: {
        const [a, b] = args;
        return (input, scope) => {
          const x = a(input, scope);
          const y = b(input, scope);
          return x === FALLBACK || y === FALLBACK ? FALLBACK : fn(x, y);
        };
      }
      default:
        return (input, scope) => {
          const values = args.map((a) => a(input, scope));
          return values.includes(FALLBACK) ? FALLBACK : fn(...values);
        };
    }
  }

  private condition(n: AstNode): Compiled {
    if (n.condition === undefined || n.then === undefined) return undefined;
    const test = this.node(n.condition);
    const then = this.node(n.then);
    const otherwise = n.else === undefined ? () => undefined : this.node(n.else);
    if (!test || !then || !otherwise) return undefined;
    return (input, scope) => {
      const t = toBoolean(test(input, scope));
      if (t === FALLBACK) return FALLBACK;
      return t ? then(input, scope) : otherwise(input, scope);
    };
  }

  private binary(n: AstNode): Compiled {
    if (n.lhs === undefined || Array.isArray(n.lhs) || n.rhs === undefined) return undefined;
    const lhs = this.node(n.lhs);
    const rhs = this.node(n.rhs);
    if (!lhs || !rhs) return undefined;
    switch (n.value) {
      case '=':
      case '!=': {
        const equal = n.value === '=';
        return (input, scope) => {
          const l = lhs(input, scope);
          const r = rhs(input, scope);
          if (l === FALLBACK || r === FALLBACK || isComposite(l) || isComposite(r)) return FALLBACK;
          if (l === undefined || r === undefined) return false;
          return equal ? l === r : l !== r;
        };
      }
      case 'and':
      case 'or': {
        const isAnd = n.value === 'and';
        return (input, scope) => {
          const l = toBoolean(lhs(input, scope));
          if (l === FALLBACK) return FALLBACK;
          if (isAnd ? !l : l) return l;
          return toBoolean(rhs(input, scope));
        };
      }
      case '&':
        return (input, scope) => {
          const l = concatPart(lhs(input, scope));
          const r = concatPart(rhs(input, scope));
          return l === FALLBACK || r === FALLBACK ? FALLBACK : l + r;
        };
      default:
        return undefined;
    }
  }
}

function isComposite(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

/** JSONata's $boolean for the values the subset produces; composites go to JSONata. */
function toBoolean(value: unknown): boolean | typeof FALLBACK {
  if (value === FALLBACK) return FALLBACK;
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'boolean') return value;
  return FALLBACK;
}

/** `&` casts with $string: undefined is '', integers and booleans print plainly. */
function concatPart(value: unknown): string | typeof FALLBACK {
  if (value === undefined) return '';
  const text = jsonataString(value);
  return typeof text === 'string' ? text : FALLBACK;
}

/** JSONata's $string for plain values; anything subtle (floats, objects) falls back. */
function jsonataString(value: unknown): unknown {
  if (value === undefined || typeof value === 'string') return value;
  if (typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return FALLBACK;
}
