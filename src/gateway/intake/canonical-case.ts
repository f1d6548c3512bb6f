import type { CanonicalCaseDto } from '../cases/dto/canonical-case.dto';

/** A validated, normalized case: what is stored, hashed for idempotency and mapped for departments. */
export type CanonicalCase = Omit<CanonicalCaseDto, 'schemaVersion' | 'source'> & {
  schemaVersion: 1;
  source: string;
};

export interface ValidatedCase {
  document: CanonicalCase;
  /** Warnings kept on the case, e.g. REGION_STREET_UNKNOWN. */
  flags: string[];
}
