import * as iconv from 'iconv-lite';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProblemList } from './mapping-config-error';
import { isPlainObject, readYamlFile } from './yaml-file';

export type MappingKind = 'forward' | 'reverse' | 'intake';

export interface ExpectedError {
  /** Substrings; an omitted one matches anything. */
  field?: string;
  reason?: string;
}

/** One test vector from a file's `examples:`. */
export interface MappingExample {
  name: string;
  /** forward: the canonical case; reverse: the department's message; intake: unused. */
  input?: unknown;
  /** intake: the body as text (sent in bodyEncoding, default UTF-8) or as bytes (bodyFile, sent as is). */
  body?: string;
  bodyBytes?: Buffer;
  contentType?: string;
  bodyEncoding?: string;
  context: Record<string, unknown>;
  expect?: unknown;
  expectErrors?: ExpectedError[];
}

const INPUT_KEY: Record<MappingKind, string> = { forward: 'case', reverse: 'input', intake: 'body' };
const COMMON_KEYS = ['name', 'description', 'context', 'expect', 'expectErrors'];
const KIND_KEYS: Record<MappingKind, string[]> = {
  forward: ['case', 'caseFile'],
  reverse: ['input', 'inputFile'],
  intake: ['body', 'bodyFile', 'contentType', 'bodyEncoding'],
};

/** Parses `examples:`; files named by caseFile/inputFile/bodyFile are relative to the mapping file. */
export function parseExamples(
  tree: unknown,
  kind: MappingKind,
  configDir: string,
  file: string,
  problems: ProblemList,
): MappingExample[] {
  if (tree === undefined) return [];
  if (!Array.isArray(tree)) {
    problems.add(file, 'examples', 'must be a list');
    return [];
  }
  const names = new Set<string>();
  const examples: MappingExample[] = [];
  tree.forEach((item: unknown, i) => {
    const at = `examples[${i}]`;
    const add = (field: string, reason: string): void => problems.add(file, `${at}${field}`, reason);
    if (!isPlainObject(item)) return add('', 'must be a mapping with name, input and expect or expectErrors');
    for (const key of Object.keys(item)) {
      if (!COMMON_KEYS.includes(key) && !KIND_KEYS[kind].includes(key)) add(`.${key}`, 'unknown key');
    }
    const name = item.name;
    if (typeof name !== 'string' || name === '') return add('.name', 'is required');
    if (names.has(name)) add('.name', `two examples are named "${name}"`);
    names.add(name);
    if ((item.expect === undefined) === (item.expectErrors === undefined)) {
      add('', 'needs exactly one of expect and expectErrors');
    }
    const expectErrors = parseExpectedErrors(item.expectErrors, (f, r) => add(f, r));
    if (item.context !== undefined && !isPlainObject(item.context)) add('.context', 'must be a mapping');

    const [inlineKey, fileKey] = KIND_KEYS[kind];
    let input: unknown = item[inlineKey];
    const inputFile = item[fileKey];
    if ((input === undefined) === (inputFile === undefined)) {
      return add('', `needs exactly one of ${inlineKey} and ${fileKey}`);
    }
    let bodyBytes: Buffer | undefined;
    if (inputFile !== undefined) {
      if (typeof inputFile !== 'string') return add(`.${fileKey}`, 'must be a file path');
      const path = join(dirname(file), inputFile);
      if (kind === 'intake') bodyBytes = readBytes(configDir, path, problems);
      else input = readYamlFile(configDir, path, problems);
      if (input === undefined && bodyBytes === undefined) return;
    } else if (kind === 'intake' && typeof input !== 'string') {
      return add(`.${INPUT_KEY[kind]}`, 'must be text');
    }
    const encoding = item.bodyEncoding;
    if (encoding !== undefined && (typeof encoding !== 'string' || !iconv.encodingExists(encoding))) {
      add('.bodyEncoding', 'must be an encoding name such as gbk or utf-8');
    }
    examples.push({
      name,
      input: kind === 'intake' ? undefined : input,
      body: kind === 'intake' && typeof input === 'string' ? input : undefined,
      bodyBytes,
      contentType: typeof item.contentType === 'string' ? item.contentType : undefined,
      bodyEncoding: typeof item.bodyEncoding === 'string' ? item.bodyEncoding : undefined,
      context: isPlainObject(item.context) ? item.context : {},
      expect: item.expect,
      expectErrors,
    });
  });
  return examples;
}

function parseExpectedErrors(
  tree: unknown,
  add: (field: string, reason: string) => void,
): ExpectedError[] | undefined {
  if (tree === undefined) return undefined;
  if (!Array.isArray(tree) || tree.length === 0) {
    add('.expectErrors', 'must be a non-empty list of { field, reason } substrings');
    return undefined;
  }
  return tree.map((entry: unknown, i) => {
    const e = isPlainObject(entry) ? entry : {};
    const ok =
      isPlainObject(entry) &&
      Object.keys(e).every((k) => k === 'field' || k === 'reason') &&
      ['field', 'reason'].every((k) => e[k] === undefined || typeof e[k] === 'string');
    if (!ok) add(`.expectErrors[${i}]`, 'must be { field: substring, reason: substring }');
    return { field: e.field as string | undefined, reason: e.reason as string | undefined };
  });
}

/** Raw bytes, as the source would send them (e.g. a GBK file). */
function readBytes(configDir: string, path: string, problems: ProblemList): Buffer | undefined {
  try {
    return readFileSync(join(configDir, path));
  } catch {
    problems.add(path, '', 'file not found');
    return undefined;
  }
}
