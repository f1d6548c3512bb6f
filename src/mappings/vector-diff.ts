import type { ExpectedError } from './mapping-examples';
import type { MappingError } from './mapping-types';

/**
 * Differences between an expected and an actual value, one line per differing path. `ordered`
 * also compares key order, which is the column order of record (CSV) output.
 */
export function diffValues(expected: unknown, actual: unknown, ordered = false, path = ''): string[] {
  const at = path === '' ? '(root)' : path;
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual))
      return [`${at}: expected ${show(expected)}, got ${show(actual)}`];
    const diffs: string[] = [];
    if (expected.length !== actual.length)
      diffs.push(`${at}: expected ${expected.length} elements, got ${actual.length}`);
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
      diffs.push(...diffValues(expected[i], actual[i], ordered, `${path}[${i}]`));
    }
    return diffs;
  }
  if (isObject(expected) && isObject(actual)) {
    const diffs: string[] = [];
    const prefix = path === '' ? '' : `${path}.`;
    for (const key of Object.keys(expected)) {
      if (!(key in actual)) diffs.push(`${prefix}${key}: missing (expected ${show(expected[key])})`);
      else diffs.push(...diffValues(expected[key], actual[key], ordered, `${prefix}${key}`));
    }
    for (const key of Object.keys(actual)) {
      if (!(key in expected)) diffs.push(`${prefix}${key}: unexpected ${show(actual[key])}`);
    }
    if (
      ordered &&
      diffs.length === 0 &&
      Object.keys(expected).join('\u0000') !== Object.keys(actual).join('\u0000')
    ) {
      diffs.push(
        `${at}: fields in order ${Object.keys(actual).join(', ')}, expected ${Object.keys(expected).join(', ')}`,
      );
    }
    return diffs;
  }
  return Object.is(expected, actual) ? [] : [`${at}: expected ${show(expected)}, got ${show(actual)}`];
}

/** Each expected error must match a different actual one; actual errors nobody expected are reported. */
export function diffErrors(expected: ExpectedError[], actual: MappingError[]): string[] {
  const left = [...actual];
  const diffs: string[] = [];
  for (const e of expected) {
    const i = left.findIndex(
      (a) =>
        (e.field === undefined || a.field.includes(e.field)) &&
        (e.reason === undefined || a.reason.includes(e.reason)),
    );
    if (i < 0) diffs.push(`missing error ${e.field ?? '*'}: …${e.reason ?? ''}…`);
    else left.splice(i, 1);
  }
  for (const a of left) diffs.push(`unexpected error ${a.field}: ${a.reason}`);
  return diffs;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
