import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MappingFunctionError } from './functions/function-error';
import type { ProblemList } from './mapping-config-error';
import { isPlainObject, readYamlFile } from './yaml-file';

/** Code table files are read as text (YAML failsafe schema), so `01` stays `01`. */
export type CodeValue = string;
/** forward: canonical → department (outgoing); reverse: department → canonical (receipts, intake). */
export type CodeDirection = 'forward' | 'reverse';

const REF = /^([a-z0-9][a-z0-9-]*)@([A-Za-z0-9._-]+)$/;

/** One version of a code table. Versions never change once shipped: a new code list is a new version. */
export class CodeTable {
  constructor(
    readonly name: string,
    readonly version: string,
    private readonly forward: ReadonlyMap<string, CodeValue>,
    /** undefined when the entries map two canonical values to one department value and no `reverse` is given. */
    private readonly reverse: ReadonlyMap<string, CodeValue> | undefined,
  ) {}

  get ref(): string {
    return `${this.name}@${this.version}`;
  }

  get reversible(): boolean {
    return this.reverse !== undefined;
  }

  /** A miss throws: passing an unknown code through would put garbage in a department's system. */
  lookup(value: unknown, direction: CodeDirection): CodeValue {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new MappingFunctionError(
        `code table ${this.ref} needs a single value, got ${describe(value)}`,
        'TYPE',
      );
    }
    const key = String(value);
    const found = direction === 'forward' ? this.forward.get(key) : this.reverse?.get(key);
    if (found === undefined) {
      const side = direction === 'forward' ? 'canonical value' : 'department value';
      throw new MappingFunctionError(
        `code table ${this.ref} has no entry for ${side} "${key}"`,
        'CODE_TABLE_MISS',
      );
    }
    return found;
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return value === null ? 'null' : typeof value;
}

/** Every table under config/codetables, read and checked once at start-up. */
export class CodeTableStore {
  private constructor(private readonly tables: ReadonlyMap<string, CodeTable>) {}

  static load(configDir: string, problems: ProblemList): CodeTableStore {
    const tables = new Map<string, CodeTable>();
    const dir = join(configDir, 'codetables');
    const files = existsSync(dir) ? readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)) : [];
    for (const name of files.sort()) {
      const table = readTable(configDir, `codetables/${name}`, name.replace(/\.ya?ml$/, ''), problems);
      if (table) tables.set(table.ref, table);
    }
    return new CodeTableStore(tables);
  }

  get(ref: string): CodeTable | undefined {
    return this.tables.get(ref);
  }

  /** For "did you mean": the versions that exist of a table name. */
  versionsOf(name: string): string[] {
    return [...this.tables.values()].filter((t) => t.name === name).map((t) => t.ref);
  }

  static parseRef(ref: unknown): { name: string; version: string } | undefined {
    const match = typeof ref === 'string' ? REF.exec(ref) : null;
    return match ? { name: match[1], version: match[2] } : undefined;
  }
}

function readTable(
  configDir: string,
  file: string,
  stem: string,
  problems: ProblemList,
): CodeTable | undefined {
  const tree = readYamlFile(configDir, file, problems, { stringsOnly: true });
  if (tree === undefined) return undefined;
  if (!isPlainObject(tree)) {
    problems.add(file, '', 'must be a mapping with name, version and entries');
    return undefined;
  }
  const before = problems.size;
  const name = tree.name;
  const version = tree.version;
  if (typeof name !== 'string' || typeof version !== 'string') {
    problems.add(file, 'name', 'name and version are required');
    return undefined;
  }
  if (`${name}@${version}` !== stem || !REF.test(stem)) {
    problems.add(file, 'name', `the file must be named <name>@<version>.yaml, i.e. ${name}@${version}.yaml`);
  }
  for (const key of Object.keys(tree)) {
    if (!['name', 'version', 'description', 'entries', 'reverse'].includes(key))
      problems.add(file, key, 'unknown key (allowed: name, version, description, entries, reverse)');
  }
  const forward = readEntries(tree.entries, file, 'entries', problems);
  const explicitReverse =
    tree.reverse === undefined ? undefined : readEntries(tree.reverse, file, 'reverse', problems);
  if (problems.size > before || forward === undefined) return undefined;
  return new CodeTable(name, version, forward, explicitReverse ?? invert(forward));
}

function readEntries(
  tree: unknown,
  file: string,
  field: string,
  problems: ProblemList,
): Map<string, CodeValue> | undefined {
  if (!isPlainObject(tree) || Object.keys(tree).length === 0) {
    problems.add(file, field, 'must be a non-empty mapping of value: value');
    return undefined;
  }
  const map = new Map<string, CodeValue>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value !== 'string') {
      problems.add(file, `${field}.${key}`, 'must be a single value');
    } else map.set(key, value);
  }
  return map;
}

/** Department → canonical by inverting the entries; undefined when two entries share a value. */
function invert(forward: ReadonlyMap<string, CodeValue>): Map<string, CodeValue> | undefined {
  const reverse = new Map<string, CodeValue>();
  for (const [canonical, department] of forward) {
    const key = String(department);
    if (reverse.has(key)) return undefined;
    reverse.set(key, canonical);
  }
  return reverse;
}
