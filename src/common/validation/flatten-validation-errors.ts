import type { ValidationError } from 'class-validator';

export interface FieldProblem {
  /** Path segments from the root object, e.g. ['applicant', 'idNumber'] or ['attachments', '0', 'sha256']. */
  segments: string[];
  reason: string;
}

/** class-validator nests errors by property; callers want one line per invalid field. */
export function flattenValidationErrors(errors: ValidationError[], parent: string[] = []): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const segments = [...parent, error.property];
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      out.push({ segments, reason: constraint === 'whitelistValidation' ? 'unknown property' : message });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, segments));
  }
  return out;
}

export function toJsonPointer(segments: string[]): string {
  return segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function toDottedPath(segments: string[]): string {
  return segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}
