/**
 * Normalization of submitted JSON before validation, plus character-level checks for text fields.
 * Submissions come from many community platforms with different input methods and encodings, so
 * the same name can arrive decomposed, padded, or with characters that break downstream systems.
 */

export interface InputProblem {
  /** RFC 6901 JSON Pointer to the offending value or key, e.g. "/applicant/name"; "" is the root. */
  pointer: string;
  reason: string;
}

export interface NormalizeOptions {
  /** Containers nested deeper than this (the root object or array is level 1) are replaced by null. */
  maxDepth: number;
  /** Properties allowed per object; the rest are dropped. Arrays are bounded by the body size limit. */
  maxKeys?: number;
  /** Stop listing problems after this many (default 100) so a hostile body can't inflate the error. */
  maxProblems?: number;
}

export interface NormalizedInput {
  value: unknown;
  problems: InputProblem[];
}

/** Keys that reach Object.prototype or constructors when a body is merged into another object. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** With the u flag a surrogate pair is one code point, so this matches only unpaired halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;
const NON_ASCII = /[^\x20-\x7e]/;
const POINTER_ESCAPE = /[~/]/;
const DEFAULT_MAX_PROBLEMS = 100;

type Container = Record<string, unknown> | unknown[];

/** One open object or array on the walk; `index` is one past the child being processed. */
interface Frame {
  source: Container;
  target: Container;
  /** Object keys to copy, or null for an array. */
  keys: string[] | null;
  index: number;
  end: number;
}

/**
 * Returns a normalized copy of parsed JSON: strings trimmed and NFC-normalized (unpaired surrogates
 * replaced by U+FFFD), forbidden keys left out, over-deep containers replaced by null. The walk is
 * iterative, so 10,000-deep input cannot overflow the stack, and pointers are only built for problems.
 */
export function normalizeJsonInput(value: unknown, options: NormalizeOptions): NormalizedInput {
  const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
  const maxProblems = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  const problems: InputProblem[] = [];
  const stack: Frame[] = [];
  let depthReported = false;
  let truncated = false;

  const report = (reason: string): void => {
    if (problems.length >= maxProblems) {
      truncated = true;
      return;
    }
    problems.push({ pointer: pointerOf(stack), reason });
  };

  /** Copies a primitive, or creates an empty container and pushes a frame to fill it. */
  const visit = (input: unknown): unknown => {
    if (typeof input === 'string') return normalizeString(input, report);
    if (input === null || typeof input === 'boolean') return input;
    if (typeof input === 'number') {
      if (Number.isFinite(input)) return input;
      report('not a JSON value');
      return null;
    }
    if (typeof input !== 'object') {
      report('not a JSON value');
      return null;
    }
    if (stack.length >= options.maxDepth) {
      if (!depthReported) report(`nesting deeper than ${options.maxDepth} levels`);
      depthReported = true;
      return null;
    }
    if (Array.isArray(input)) {
      const target: unknown[] = [];
      stack.push({ source: input, target, keys: null, index: 0, end: input.length });
      return target;
    }
    const source = input as Record<string, unknown>;
    const keys = Object.keys(source);
    if (keys.length > maxKeys) report(`more than ${maxKeys} properties`);
    const target: Record<string, unknown> = {};
    stack.push({ source, target, keys, index: 0, end: Math.min(keys.length, maxKeys) });
    return target;
  };

  const root = visit(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.index >= frame.end) {
      stack.pop();
      continue;
    }
    const i = frame.index++;
    if (frame.keys === null) {
      (frame.target as unknown[]).push(visit((frame.source as unknown[])[i]));
    } else {
      const key = frame.keys[i];
      if (FORBIDDEN_KEYS.has(key)) {
        report('forbidden property name');
        continue;
      }
      // Only own enumerable keys other than __proto__ get here, so plain assignment defines a data property.
      (frame.target as Record<string, unknown>)[key] = visit((frame.source as Record<string, unknown>)[key]);
    }
  }
  if (truncated) {
    problems.push({ pointer: '', reason: `more than ${maxProblems} problems; the rest are not listed` });
  }
  return { value: root, problems };
}

function normalizeString(input: string, report: (reason: string) => void): string {
  let s = input.trim();
  // ASCII-only strings (most codes, numbers, dates) are already NFC and surrogate-free.
  if (!NON_ASCII.test(s)) return s;
  if (LONE_SURROGATE.test(s)) {
    report('not valid Unicode: unpaired surrogate');
    s = s.replace(LONE_SURROGATES, '\uFFFD');
  }
  return s.normalize('NFC');
}

/** Pointer to the child each open frame is processing; built only when a problem is reported. */
function pointerOf(stack: readonly Frame[]): string {
  let pointer = '';
  for (const frame of stack) {
    const i = frame.index - 1;
    pointer += '/' + (frame.keys === null ? String(i) : escapePointerToken(frame.keys[i]));
  }
  return pointer;
}

function escapePointerToken(token: string): string {
  return POINTER_ESCAPE.test(token) ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * C0 and C1 controls (including tab and newline, so not for multi-line fields) and the bidi
 * embedding/override/isolate characters that can make text display differently from what is stored.
 */
export function hasControlCharacters(s: string): boolean {
  return CONTROL_OR_BIDI.test(s);
}

/** Number of Unicode code points; an unpaired surrogate counts as one. */
export function codePointLength(s: string): number {
  let count = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

const MAX_NAME_CODE_POINTS = 50;
/**
 * Letters of any script (plus 〇 U+3007, a numeral used in real Chinese names), combining marks
 * after a letter, and single separators between letters: space, hyphen (- U+2010), apostrophe
 * (' U+2019) and the middle dots used in transliterated names (· U+00B7, ・ U+30FB, • U+2022,
 * ‧ U+2027). Full stops (. U+FF0E) are refused: they are abbreviation marks, not name separators.
 * Each alternative consumes one character, so matching is linear.
 */
const PERSON_NAME =
  /^[\p{L}\u3007](?:[\p{L}\p{M}\u3007]|[ \-\u2010'\u2019\u00b7\u30fb\u2022\u2027](?=[\p{L}\u3007]))*$/u;

export function isPersonName(s: string): boolean {
  // Two UTF-16 units per code point at most, so longer strings can be refused before counting.
  if (s.length === 0 || s.length > MAX_NAME_CODE_POINTS * 2) return false;
  return codePointLength(s) <= MAX_NAME_CODE_POINTS && PERSON_NAME.test(s);
}
