import type { CodeDirection, CodeTable } from './code-tables';
import { compileExpression, type CompiledExpression } from './expression/compiled-expression';
import type { AnalysisScope } from './expression/expression-analyzer';
import { elementOf, stepInto, type Shape } from './expression/shapes';
import type { BuiltinFunction } from './functions/builtin-functions';
import type { ProblemList } from './mapping-config-error';
import { isPlainObject } from './yaml-file';

export interface PadSpec {
  width: number;
  char: string;
  side: 'left' | 'right';
}

export interface LeafPlan {
  kind: 'leaf';
  name: string;
  expr: CompiledExpression;
  required: boolean;
  default?: string | number | boolean;
  maxLength?: number;
  codeTable?: CodeTable;
  pad?: PadSpec;
}

export interface ObjectPlan {
  kind: 'object';
  name: string;
  fields: FieldPlan[];
}

export interface GroupPlan {
  kind: 'group';
  name: string;
  each: CompiledExpression;
  required: boolean;
  fields: FieldPlan[];
}

export type FieldPlan = LeafPlan | ObjectPlan | GroupPlan;

export interface PlanEnv {
  file: string;
  problems: ProblemList;
  functions: Readonly<Record<string, BuiltinFunction>>;
  /** Declared code tables by name (the file's `codeTables`). */
  tables: ReadonlyMap<string, CodeTable>;
  direction: CodeDirection;
  scope: AnalysisScope;
  /** record output and reverse mappings: one flat record, no nesting. */
  flat: boolean;
}

const LEAF_KEYS = new Set(['expr', 'required', 'default', 'maxLength', 'codeTable', 'pad']);
const GROUP_KEYS = new Set(['each', 'fields', 'required']);

/**
 * The `fields:` tree → plans; every problem is recorded with its field path. `output` checks the
 * names written (intake → canonical case, reverse → ReverseMapped); undefined allows any name.
 */
export function parseFields(
  tree: unknown,
  env: PlanEnv,
  input: Shape,
  output: Shape | undefined,
  at: string,
): FieldPlan[] {
  if (!isPlainObject(tree) || Object.keys(tree).length === 0) {
    env.problems.add(env.file, at, 'must be a non-empty mapping of output field names');
    return [];
  }
  const plans: FieldPlan[] = [];
  for (const [name, spec] of Object.entries(tree)) {
    const path = `${at}.${name}`;
    const target = output === undefined ? undefined : stepInto(output, name);
    if (target !== undefined && 'unknown' in target) {
      env.problems.add(env.file, path, `not a field of the target: ${target.unknown}`);
      continue;
    }
    const plan = parseField(name, spec, env, input, target, path);
    if (plan) plans.push(plan);
  }
  return plans;
}

function parseField(
  name: string,
  spec: unknown,
  env: PlanEnv,
  input: Shape,
  output: Shape | undefined,
  path: string,
): FieldPlan | undefined {
  if (typeof spec === 'string') return leaf(name, { expr: spec }, env, input, path);
  if (!isPlainObject(spec)) {
    env.problems.add(
      env.file,
      path,
      'must be a JSONata expression string, { expr: … }, { each: … } or nested fields (write constants as "\'01\'")',
    );
    return undefined;
  }
  if ('expr' in spec) return leaf(name, spec, env, input, path);
  if ('each' in spec) return group(name, spec, env, input, output, path);
  const options = Object.keys(spec).filter((k) => LEAF_KEYS.has(k) && k !== 'expr');
  if (options.length > 0) {
    env.problems.add(env.file, path, `has ${options.join(', ')} but no expr`);
    return undefined;
  }
  if (env.flat) {
    env.problems.add(
      env.file,
      path,
      'this output is one flat record (record output, reverse mapping): nested fields are not allowed',
    );
    return undefined;
  }
  return { kind: 'object', name, fields: parseFields(spec, env, input, output, path) };
}

function leaf(
  name: string,
  spec: Record<string, unknown>,
  env: PlanEnv,
  input: Shape,
  path: string,
): LeafPlan | undefined {
  const problem = (reason: string, sub = ''): void => env.problems.add(env.file, path + sub, reason);
  for (const key of Object.keys(spec)) {
    if (!LEAF_KEYS.has(key)) problem(`unknown option (allowed: ${[...LEAF_KEYS].join(', ')})`, `.${key}`);
  }
  const expr = expression(spec.expr, env, input, path, false);
  const plan: Partial<LeafPlan> = { kind: 'leaf', name, expr, required: true };
  if (spec.required !== undefined) {
    if (typeof spec.required === 'boolean') plan.required = spec.required;
    else problem('must be true or false', '.required');
  }
  if (spec.default !== undefined) {
    const d = spec.default;
    if (typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean') plan.default = d;
    else problem('must be a single value', '.default');
  }
  if (spec.maxLength !== undefined) {
    if (Number.isInteger(spec.maxLength) && (spec.maxLength as number) > 0)
      plan.maxLength = spec.maxLength as number;
    else problem('must be a whole number > 0', '.maxLength');
  }
  if (spec.codeTable !== undefined) plan.codeTable = codeTable(spec.codeTable, env, path);
  if (spec.pad !== undefined) plan.pad = pad(spec.pad, env, path);
  return expr ? (plan as LeafPlan) : undefined;
}

function group(
  name: string,
  spec: Record<string, unknown>,
  env: PlanEnv,
  input: Shape,
  output: Shape | undefined,
  path: string,
): GroupPlan | undefined {
  for (const key of Object.keys(spec)) {
    if (!GROUP_KEYS.has(key))
      env.problems.add(env.file, `${path}.${key}`, 'unknown option (allowed: each, fields, required)');
  }
  if (env.flat) {
    env.problems.add(
      env.file,
      path,
      'this output is one flat record (record output, reverse mapping): repeating groups are not allowed',
    );
    return undefined;
  }
  if (spec.required !== undefined && typeof spec.required !== 'boolean') {
    env.problems.add(env.file, `${path}.required`, 'must be true or false');
  }
  if (output !== undefined && output.kind !== 'array' && output.kind !== 'free') {
    env.problems.add(env.file, path, 'the target field is not a list');
  }
  const compiled = compileIn(spec.each, env, input, `${path}.each`, true);
  const elementInput = compiled ? elementOf(compiled.shape) : input;
  const fields = parseFields(spec.fields, env, elementInput, output && elementOf(output), `${path}.fields`);
  if (!compiled) return undefined;
  return { kind: 'group', name, each: compiled.expression, required: spec.required === true, fields };
}

function expression(
  source: unknown,
  env: PlanEnv,
  input: Shape,
  path: string,
  allowArrays: boolean,
): CompiledExpression | undefined {
  return compileIn(source, env, input, `${path}.expr`, allowArrays)?.expression;
}

function compileIn(source: unknown, env: PlanEnv, input: Shape, path: string, allowArrays: boolean) {
  if (typeof source !== 'string' || source.trim() === '') {
    env.problems.add(env.file, path, 'must be a JSONata expression string');
    return undefined;
  }
  const result = compileExpression(source, { ...env.scope, input }, env.functions, allowArrays);
  if (result.ok) return result;
  for (const reason of result.problems) env.problems.add(env.file, path.replace(/\.expr$/, ''), reason);
  return undefined;
}

function codeTable(name: unknown, env: PlanEnv, path: string): CodeTable | undefined {
  const table = typeof name === 'string' ? env.tables.get(name) : undefined;
  if (table === undefined) {
    const declared = [...env.tables.keys()].join(', ') || 'none';
    env.problems.add(
      env.file,
      `${path}.codeTable`,
      `unknown code table "${String(name)}": not in codeTables (declared: ${declared})`,
    );
  } else if (env.direction === 'reverse' && !table.reversible) {
    env.problems.add(
      env.file,
      `${path}.codeTable`,
      `code table ${table.ref} maps two values to one department value; add a reverse section`,
    );
  }
  return table;
}

function pad(spec: unknown, env: PlanEnv, path: string): PadSpec | undefined {
  const p = isPlainObject(spec) ? spec : {};
  const width = p.width;
  const char = p.char ?? ' ';
  const side = p.side ?? 'right';
  const ok =
    Number.isInteger(width) &&
    (width as number) >= 0 &&
    typeof char === 'string' &&
    Array.from(char).length === 1 &&
    (side === 'left' || side === 'right') &&
    Object.keys(p).every((k) => ['width', 'char', 'side'].includes(k));
  if (!ok) {
    env.problems.add(
      env.file,
      `${path}.pad`,
      'must be { width: n, char: one character (default space), side: left | right (default right) }',
    );
    return undefined;
  }
  return { width: width as number, char, side };
}
