import type { CanonicalCase } from '../gateway/intake/canonical-case';

export interface MappingError {
  /** The target field (or canonical source field) the error is about, e.g. `body.zjlx`. */
  field: string;
  reason: string;
}

export type MappingResult<T = unknown> = { ok: true; message: T } | { ok: false; errors: MappingError[] };

export interface MappingContext {
  caseId: string;
  deliveryId: string;
  department: string;
  now: Date;
}

/** A compiled forward mapping: canonical case → the department's message. */
export interface CompiledMapping {
  readonly id: string;
  /** object (SOAP), json (REST), record (CSV / fixed-width rows), xml (XML files). */
  readonly output: 'object' | 'json' | 'record' | 'xml';
  map(document: CanonicalCase, context: MappingContext): Promise<MappingResult>;
}

/** The canonical reading of a department receipt, status or result record. */
export interface ReverseMapped {
  deliveryId?: string;
  status: string;
  reference?: string;
  remark?: string;
  finishedAt?: string;
  resend?: boolean;
}

/** A compiled reverse mapping: department receipt / status / result → canonical status. */
export interface CompiledReverseMapping {
  readonly id: string;
  map(raw: unknown): Promise<MappingResult<ReverseMapped>>;
}
