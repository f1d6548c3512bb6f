import type { PersonalDataRegistry } from './case-factory';

/** One hostile submission: a JSON value to send as-is, or raw bytes with their content type. */
export interface HostileInput {
  category: string;
  name: string;
  /** Sent as JSON (the value may carry own `__proto__` keys, from JSON.parse). */
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  /** Bearer key; null sends none. Default: the platform key. */
  key?: string | null;
  method?: string;
  path?: string;
  /** Fit for the microservice transport too (a JSON value, nothing HTTP-specific). */
  rpc: boolean;
}

export type Case = Record<string, unknown> & { applicant: Record<string, unknown> };
export type Mutator = (base: Case, personal: PersonalDataRegistry) => HostileInput[];

export const clone = (c: Case): Case => JSON.parse(JSON.stringify(c)) as Case;
export const withApplicant = (c: Case, patch: Record<string, unknown>): Case => ({
  ...c,
  applicant: { ...c.applicant, ...patch },
});
export const json = (category: string, name: string, body: unknown): HostileInput => ({
  category,
  name,
  body,
  rpc: true,
});
export const raw = (
  category: string,
  name: string,
  text: string | Buffer,
  contentType = 'application/json',
): HostileInput => ({
  category,
  name,
  raw: text,
  contentType,
  rpc: false,
});

/** Sets a value at a dotted path of a copy. */
export function setPath(c: Case, path: string, value: unknown): Case {
  const copy = clone(c);
  const parts = path.split('.');
  let target = copy as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) target = target[part] as Record<string, unknown>;
  target[parts[parts.length - 1]] = value;
  return copy;
}
