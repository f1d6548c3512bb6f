import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeTableStore, type CodeDirection, type CodeTable } from './code-tables';
import type { AnalysisScope } from './expression/expression-analyzer';
import {
  canonicalShape,
  FORWARD_CONTEXT,
  FREE,
  INTAKE_CONTEXT,
  REVERSE_CONTEXT,
  shapeFromJsonSchema,
  type Shape,
} from './expression/shapes';
import { parseFields, type FieldPlan, type PlanEnv } from './field-plan';
import { BUILTIN_NAMES, type BuiltinFunction } from './functions/builtin-functions';
import type { ProblemList } from './mapping-config-error';
import { parseExamples, type MappingExample, type MappingKind } from './mapping-examples';
import type { CompiledMapping } from './mapping-types';
import { isPlainObject } from './yaml-file';

export type OutputKind = CompiledMapping['output'];

export interface CompileEnv {
  configDir: string;
  problems: ProblemList;
  tables: CodeTableStore;
  /** Built-ins shared by every file; `$code` is added per file for its own tables. */
  builtins: Readonly<Record<string, BuiltinFunction>>;
}

/** One checked mapping or intake file, ready to run. */
export interface MappingDefinition {
  id: string;
  kind: MappingKind;
  file: string;
  description?: string;
  department?: string;
  output: OutputKind;
  direction: CodeDirection;
  fields: FieldPlan[];
  /** Every expression compiled to a closure: map() can run without JSONata's async evaluator. */
  allFast: boolean;
  examples: MappingExample[];
  /** intake only. */
  format?: 'xml' | 'json';
  root?: string;
}

const ID = /^[a-z0-9][a-z0-9-]*$/;
const OUTPUTS: readonly OutputKind[] = ['object', 'json', 'record', 'xml'];
const KEYS: Record<MappingKind, string[]> = {
  forward: [
    'id',
    'description',
    'department',
    'direction',
    'output',
    'formSchema',
    'codeTables',
    'fields',
    'examples',
  ],
  reverse: ['id', 'description', 'department', 'direction', 'codeTables', 'fields', 'examples'],
  intake: ['id', 'description', 'direction', 'format', 'root', 'codeTables', 'fields', 'examples'],
};
const REVERSE_OUTPUT: Shape = {
  kind: 'object',
  label: 'a reverse mapping (deliveryId, status, reference, remark, finishedAt, resend)',
  props: Object.fromEntries(
    ['deliveryId', 'status', 'reference', 'remark', 'finishedAt', 'resend'].map((k) => [
      k,
      { kind: 'scalar' },
    ]),
  ),
};
const BUILTINS: ReadonlySet<string> = new Set(BUILTIN_NAMES);

/** Checks and compiles one file's tree; problems go to env.problems, undefined when unusable. */
export function compileDefinition(
  tree: unknown,
  file: string,
  place: 'mappings' | 'intake',
  env: CompileEnv,
): MappingDefinition | undefined {
  const { problems } = env;
  if (!isPlainObject(tree)) {
    problems.add(file, '', 'must be a mapping with id, direction, fields…');
    return undefined;
  }
  const kind = kindOf(tree.direction, place, file, problems);
  if (kind === undefined) return undefined;
  for (const key of Object.keys(tree)) {
    if (!KEYS[kind].includes(key)) problems.add(file, key, `unknown key (allowed: ${KEYS[kind].join(', ')})`);
  }
  const id = tree.id;
  if (typeof id !== 'string' || !ID.test(id))
    problems.add(file, 'id', 'must be lower-case letters, digits and -');

  const output = kind === 'forward' ? outputOf(tree.output, file, problems) : 'object';
  const direction: CodeDirection = kind === 'forward' ? 'forward' : 'reverse';
  const tables = declaredTables(tree.codeTables, file, env);
  const functions: Record<string, BuiltinFunction> = {
    ...env.builtins,
    code: codeFunction(tables, direction),
  };
  const input = kind === 'forward' ? canonicalShape(formShape(tree.formSchema, file, env)) : FREE;
  const scope: AnalysisScope = {
    input,
    root: input,
    ctx: kind === 'forward' ? FORWARD_CONTEXT : kind === 'reverse' ? REVERSE_CONTEXT : INTAKE_CONTEXT,
    builtins: BUILTINS,
    codeTables: new Set(tables.keys()),
    fieldNoun: kind === 'forward' ? 'canonical field' : 'field',
  };
  const target = kind === 'reverse' ? REVERSE_OUTPUT : kind === 'intake' ? canonicalShape() : undefined;
  const flat = output === 'record' || kind === 'reverse';
  const planEnv: PlanEnv = { file, problems, functions, tables, direction, scope, flat };
  const fields = parseFields(tree.fields, planEnv, input, target, 'fields');
  if (kind === 'reverse' && isPlainObject(tree.fields) && tree.fields.status === undefined) {
    problems.add(file, 'fields.status', 'a reverse mapping must produce status');
  }
  if (output === 'xml' && fields.length > 0 && (fields.length !== 1 || fields[0].kind !== 'object')) {
    problems.add(file, 'fields', 'xml output needs exactly one top-level field: the root element');
  }
  const examples = parseExamples(tree.examples, kind, env.configDir, file, problems);
  const format = kind === 'intake' ? formatOf(tree.format, file, problems) : undefined;
  if (tree.root !== undefined && typeof tree.root !== 'string')
    problems.add(file, 'root', 'must be an element name');

  return {
    id: String(id),
    kind,
    file,
    description: typeof tree.description === 'string' ? tree.description : undefined,
    department: typeof tree.department === 'string' ? tree.department : undefined,
    output,
    direction,
    fields,
    allFast: everyExpressionFast(fields),
    examples,
    format,
    root: typeof tree.root === 'string' ? tree.root : undefined,
  };
}

function kindOf(
  direction: unknown,
  place: 'mappings' | 'intake',
  file: string,
  problems: ProblemList,
): MappingKind | undefined {
  if (place === 'intake') {
    if (direction === undefined || direction === 'intake') return 'intake';
    problems.add(file, 'direction', 'intake profiles have direction: intake (or none)');
    return undefined;
  }
  if (direction === 'forward' || direction === 'reverse') return direction;
  problems.add(file, 'direction', 'must be forward or reverse');
  return undefined;
}

function outputOf(output: unknown, file: string, problems: ProblemList): OutputKind {
  if (OUTPUTS.includes(output as OutputKind)) return output as OutputKind;
  problems.add(file, 'output', `must be one of ${OUTPUTS.join(', ')}`);
  return 'object';
}

function formatOf(format: unknown, file: string, problems: ProblemList): 'xml' | 'json' {
  if (format === 'xml' || format === 'json') return format;
  problems.add(file, 'format', 'must be xml or json');
  return 'json';
}

/** `codeTables: [name@version, …]` → tables by name (one version of a table per file). */
function declaredTables(list: unknown, file: string, env: CompileEnv): Map<string, CodeTable> {
  const tables = new Map<string, CodeTable>();
  if (list === undefined) return tables;
  if (!Array.isArray(list)) {
    env.problems.add(file, 'codeTables', 'must be a list of name@version');
    return tables;
  }
  list.forEach((ref: unknown, i) => {
    const at = `codeTables[${i}]`;
    const parsed = CodeTableStore.parseRef(ref);
    if (!parsed) return env.problems.add(file, at, `"${String(ref)}" is not name@version`);
    const table = env.tables.get(String(ref));
    if (!table) {
      const known = env.tables.versionsOf(parsed.name);
      const hint = known.length > 0 ? `; available: ${known.join(', ')}` : '';
      return env.problems.add(
        file,
        at,
        `unknown code table ${String(ref)} (no codetables/${String(ref)}.yaml${hint})`,
      );
    }
    if (tables.has(parsed.name))
      return env.problems.add(file, at, `two versions of code table ${parsed.name}`);
    tables.set(parsed.name, table);
  });
  return tables;
}

function codeFunction(tables: ReadonlyMap<string, CodeTable>, direction: CodeDirection): BuiltinFunction {
  return (name, value) => {
    if (value === undefined || value === null || value === '') return undefined;
    const table = tables.get(String(name));
    // The start-up check makes this unreachable for literal names.
    if (!table) throw new Error(`$code: code table ${String(name)} is not declared`);
    return table.lookup(value, direction);
  };
}

/** `formSchema: forms/x.schema.json` lets start-up check `form.*` names too. */
function formShape(path: unknown, file: string, env: CompileEnv): Shape {
  if (path === undefined) return FREE;
  if (typeof path !== 'string') {
    env.problems.add(file, 'formSchema', 'must be a path relative to the config directory');
    return FREE;
  }
  try {
    return shapeFromJsonSchema(JSON.parse(readFileSync(join(env.configDir, path), 'utf8')), 'form');
  } catch (error) {
    env.problems.add(file, 'formSchema', `cannot read ${path}: ${(error as Error).message}`);
    return FREE;
  }
}

function everyExpressionFast(fields: FieldPlan[]): boolean {
  return fields.every((f) => {
    if (f.kind === 'object') return everyExpressionFast(f.fields);
    if (f.kind === 'leaf') return f.expr.fast !== undefined;
    return f.each.fast !== undefined && everyExpressionFast(f.fields);
  });
}
