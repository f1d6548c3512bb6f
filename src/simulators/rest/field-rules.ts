/** A tiny declarative validator for the simulators: the first problem wins, like the real systems. */
export type FieldRule = [field: string, check: (value: unknown) => boolean, expectation: string];

export const isText =
  (max = 200) =>
  (v: unknown) =>
    typeof v === 'string' && v.trim() !== '' && v.length <= max;
export const optional = (check: (v: unknown) => boolean) => (v: unknown) =>
  v === undefined || v === null || check(v);
export const oneOf = (values: readonly string[]) => (v: unknown) =>
  typeof v === 'string' && values.includes(v);
export const matches = (pattern: RegExp) => (v: unknown) => typeof v === 'string' && pattern.test(v);
export const isInt = (min: number) => (v: unknown) => Number.isSafeInteger(v) && (v as number) >= min;

export const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const REGION = /^\d{6}(\d{6})?$/;

/** The first rule the object breaks, as "field: expectation", or undefined when it passes. */
export function firstProblem(body: Record<string, unknown>, rules: readonly FieldRule[]): string | undefined {
  for (const [field, check, expectation] of rules) {
    if (!check(body[field])) return `${field}: ${expectation}`;
  }
  return undefined;
}
