import type { CodeDirection } from './code-tables';
import { FALLBACK, type EvalScope } from './expression/fast-expression';
import type { CompiledExpression } from './expression/compiled-expression';
import type { FieldPlan, GroupPlan, LeafPlan } from './field-plan';
import { codePointLength, padValue } from './functions/builtin-functions';
import { MappingFunctionError } from './functions/function-error';
import type { MappingError, MappingErrorCode } from './mapping-types';

export interface EvalOptions {
  direction: CodeDirection;
  /** record output: every value a string, an absent optional field an empty column. */
  record: boolean;
  /** Every expression has a fast closure: try the synchronous pass first. */
  allFast: boolean;
}

interface Settled {
  value?: unknown;
  error?: unknown;
  failed?: true;
}

/** Yields only when JSONata's async evaluator is needed, so fully fast mappings run synchronously. */
type Evaluation<T> = Generator<Promise<Settled>, T, Settled>;

const OMIT: unique symbol = Symbol('omit');

/** Thrown by the synchronous pass when an expression needs JSONata; the generator pass takes over. */
class NeedsAsync extends Error {}
const NEEDS_ASYNC = new NeedsAsync('an expression needs JSONata'); // one instance: no stack per throw

/**
 * Evaluates a field tree. Synchronous when every expression is in the fast subset (the usual case),
 * otherwise a Promise; field order and error order are the same either way.
 */
export function evaluateFields(
  fields: FieldPlan[],
  input: unknown,
  scope: EvalScope,
  options: EvalOptions,
  errors: MappingError[],
): Record<string, unknown> | Promise<Record<string, unknown>> {
  if (options.allFast) {
    try {
      return evalObjectSync(fields, input, scope, undefined, options, errors);
    } catch (signal) {
      if (signal !== NEEDS_ASYNC) throw signal;
      errors.length = 0; // start over: the generator pass reports every error itself
    }
  }
  const run = evalObject(fields, input, scope, undefined, options, errors);
  const first = run.next();
  return first.done ? first.value : finishAsync(run, first.value);
}

async function finishAsync<T>(run: Evaluation<T>, pending: Promise<Settled>): Promise<T> {
  let step = run.next(await pending);
  while (!step.done) step = run.next(await step.value);
  return step.value;
}

/** A field's path for error messages, built only when there is an error. */
interface PathNode {
  parent: PathNode | undefined;
  name: string;
  index?: number;
}

function pathText(node: PathNode | undefined): string {
  let text = '';
  for (let n = node; n !== undefined; n = n.parent) {
    const part = n.index === undefined ? n.name : `${n.name}[${n.index}]`;
    text = text === '' ? part : `${part}.${text}`;
  }
  return text;
}

/** The fast pass: plain loops and closures, no generators or promises. */
function evalObjectSync(
  fields: FieldPlan[],
  input: unknown,
  scope: EvalScope,
  parent: PathNode | undefined,
  options: EvalOptions,
  errors: MappingError[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.kind === 'object') {
      out[field.name] = evalObjectSync(
        field.fields,
        input,
        scope,
        { parent, name: field.name },
        options,
        errors,
      );
      continue;
    }
    const expr = field.kind === 'leaf' ? field.expr : field.each;
    let value: unknown;
    try {
      value = expr.fast === undefined ? FALLBACK : expr.fast(input, scope);
    } catch (error) {
      errors.push({
        field: pathText({ parent, name: field.name }),
        reason: reasonOf(error),
        code: codeOf(error),
      });
      continue;
    }
    if (value === FALLBACK) throw NEEDS_ASYNC;
    if (field.kind === 'leaf') {
      const result = finishLeaf(field, value, parent, options, errors);
      if (result !== OMIT) out[field.name] = result;
    } else {
      const list = asList(value);
      const items: Array<Record<string, unknown>> = [];
      for (let i = 0; i < list.length; i++) {
        items.push(
          evalObjectSync(
            field.fields,
            list[i],
            scope,
            { parent, name: field.name, index: i },
            options,
            errors,
          ),
        );
      }
      if (items.length === 0 && field.required) errors.push(emptyGroup(field, parent));
      out[field.name] = items;
    }
  }
  return out;
}

/** The general pass: yields JSONata's promises, so it can run synchronously up to the first one. */
function* evalObject(
  fields: FieldPlan[],
  input: unknown,
  scope: EvalScope,
  parent: PathNode | undefined,
  options: EvalOptions,
  errors: MappingError[],
): Evaluation<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.kind === 'object') {
      out[field.name] = yield* evalObject(
        field.fields,
        input,
        scope,
        { parent, name: field.name },
        options,
        errors,
      );
      continue;
    }
    const settled = yield* evalExpression(field.kind === 'leaf' ? field.expr : field.each, input, scope);
    if (settled.failed) {
      errors.push({
        field: pathText({ parent, name: field.name }),
        reason: reasonOf(settled.error),
        code: codeOf(settled.error),
      });
    } else if (field.kind === 'leaf') {
      const value = finishLeaf(field, settled.value, parent, options, errors);
      if (value !== OMIT) out[field.name] = value;
    } else {
      const list = asList(settled.value);
      const items: Array<Record<string, unknown>> = [];
      for (let i = 0; i < list.length; i++) {
        items.push(
          yield* evalObject(
            field.fields,
            list[i],
            scope,
            { parent, name: field.name, index: i },
            options,
            errors,
          ),
        );
      }
      if (items.length === 0 && field.required) errors.push(emptyGroup(field, parent));
      out[field.name] = items;
    }
  }
  return out;
}

function asList(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

function emptyGroup(field: GroupPlan, parent: PathNode | undefined): MappingError {
  const reason = `needs at least one element, but ${field.each.source} gave none`;
  return { field: pathText({ parent, name: field.name }), reason, code: 'REQUIRED' };
}

function* evalExpression(expr: CompiledExpression, input: unknown, scope: EvalScope): Evaluation<Settled> {
  let value: unknown = FALLBACK;
  if (expr.fast) {
    try {
      value = expr.fast(input, scope);
    } catch (error) {
      return { error, failed: true };
    }
  }
  if (value !== FALLBACK) return { value };
  return yield expr.evaluate(input, scope).then(
    (v): Settled => ({ value: v }),
    (error: unknown): Settled => ({ error, failed: true }),
  );
}

function finishLeaf(
  field: LeafPlan,
  raw: unknown,
  parent: PathNode | undefined,
  options: EvalOptions,
  errors: MappingError[],
): unknown {
  let value = Array.isArray(raw) ? Array.from(raw as unknown[]) : raw; // drop JSONata's sequence marker
  if (typeof value === 'function') {
    return fail(field, parent, errors, `${field.expr.source} gives a function, not a value`, 'TYPE');
  }
  if (isEmpty(value)) {
    if (field.default !== undefined) value = field.default;
    else if (field.required) {
      return fail(field, parent, errors, `is required, but ${field.expr.source} gave no value`, 'REQUIRED');
    } else return options.record ? '' : OMIT;
  } else if (field.codeTable) {
    try {
      value = field.codeTable.lookup(value, options.direction);
    } catch (error) {
      return fail(field, parent, errors, reasonOf(error), codeOf(error));
    }
  }
  if (options.record) {
    if (value !== null && typeof value === 'object') {
      return fail(field, parent, errors, 'a record column needs a single value', 'TYPE');
    }
    value = String(value);
  }
  if (field.pad) {
    try {
      value = padValue(value, field.pad.width, field.pad.char, field.pad.side);
    } catch (error) {
      return fail(field, parent, errors, reasonOf(error), codeOf(error));
    }
  }
  if (field.maxLength !== undefined && (typeof value === 'string' || typeof value === 'number')) {
    const length = codePointLength(String(value));
    if (length > field.maxLength) {
      return fail(
        field,
        parent,
        errors,
        `is ${length} characters long, more than maxLength ${field.maxLength}`,
        'MAX_LENGTH',
      );
    }
  }
  return value;
}

function fail(
  field: LeafPlan,
  parent: PathNode | undefined,
  errors: MappingError[],
  reason: string,
  code: MappingErrorCode,
): typeof OMIT {
  errors.push({ field: pathText({ parent, name: field.name }), reason, code });
  return OMIT;
}

/** Nothing to send: undefined, null, a blank string or an empty list. */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  // Most values start with a visible character: skip trim()'s allocation for them.
  if (typeof value === 'string') return value.length === 0 || (/^\s/.test(value) && value.trim() === '');
  return Array.isArray(value) && value.length === 0;
}

function reasonOf(error: unknown): string {
  if (error instanceof MappingFunctionError) return error.message;
  const e = error as { message?: unknown; position?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return typeof e?.position === 'number' ? `${message} (at position ${e.position})` : message;
}

function codeOf(error: unknown): MappingErrorCode {
  return error instanceof MappingFunctionError ? error.code : 'EXPRESSION';
}
