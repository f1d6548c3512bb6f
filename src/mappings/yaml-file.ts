import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isScalar, parseDocument, visit, type Document } from 'yaml';
import type { ProblemList } from './mapping-config-error';

export interface ReadYamlOptions {
  /** Every scalar as a string (YAML failsafe schema): for code tables, where `01` must stay `01`. */
  stringsOnly?: boolean;
}

/** Parses one YAML file (path relative to the config directory); syntax errors become problems. */
export function readYamlFile(
  configDir: string,
  file: string,
  problems: ProblemList,
  options: ReadYamlOptions = {},
): unknown {
  const full = join(configDir, file);
  if (!existsSync(full)) {
    problems.add(file, '', 'file not found');
    return undefined;
  }
  const document = parseDocument(readFileSync(full, 'utf8'), {
    prettyErrors: true,
    uniqueKeys: true, // a field defined twice is always a mistake
    schema: options.stringsOnly ? 'failsafe' : 'core',
  });
  if (document.errors.length > 0) {
    for (const error of document.errors)
      problems.add(file, '', `YAML syntax: ${error.message.split('\n')[0]}`);
    return undefined;
  }
  if (!options.stringsOnly) checkLeadingZeros(document, file, problems);
  return document.toJS({ maxAliasCount: 100 }) as unknown;
}

/** `zjlx: 01` reads as the number 1 in YAML 1.2 and would silently lose the zero: make authors quote it. */
function checkLeadingZeros(document: Document, file: string, problems: ProblemList): void {
  visit(document, {
    Scalar(_key, node, path) {
      if (!isScalar(node) || typeof node.value !== 'number' || node.type !== 'PLAIN') return;
      const source = node.source ?? '';
      if (/^[-+]?0\d/.test(source)) {
        const where = path
          .filter((p) => 'key' in p && isScalar(p.key))
          .map((p) => String((p as { key: { value: unknown } }).key.value))
          .join('.');
        problems.add(
          file,
          where,
          `write '${source}' in quotes: unquoted ${source} is the number ${node.value}`,
        );
      }
    },
  });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}
