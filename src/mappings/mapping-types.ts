import type { CanonicalCase } from '../gateway/intake/canonical-case';

/** Why a field failed; lets callers tell data problems apart without parsing reasons. */
export type MappingErrorCode =
  'REQUIRED' | 'CODE_TABLE_MISS' | 'MAX_LENGTH' | 'PAD_WIDTH' | 'TYPE' | 'EXPRESSION' | 'INPUT';

export interface MappingError {
  /** The target field (or canonical source field) the error is about, e.g. `body.zjlx`. */
  field: string;
  reason: string;
  /** Set by the mapping engine; every mapping error is permanent (retrying gives the same result). */
  code?: MappingErrorCode;
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

/** Canonical statuses a reverse mapping may produce. */
export const REVERSE_STATUSES = ['ACCEPTED', 'PROCESSING', 'APPROVED', 'REJECTED', 'RESEND'] as const;
export type ReverseStatus = (typeof REVERSE_STATUSES)[number];

/** The canonical reading of a department receipt, status or result record. */
export interface ReverseMapped {
  deliveryId?: string;
  status: string;
  reference?: string;
  remark?: string;
  finishedAt?: string;
  resend?: boolean;
}

/** What the caller knows about the exchange a receipt or status belongs to (`$ctx` in reverse mappings). */
export interface ReverseMappingContext {
  deliveryId?: string;
  department?: string;
}

/** A compiled reverse mapping: department receipt / status / result → canonical status. */
export interface CompiledReverseMapping {
  readonly id: string;
  map(raw: unknown, context?: ReverseMappingContext): Promise<MappingResult<ReverseMapped>>;
}
