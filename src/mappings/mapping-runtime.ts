import { XMLBuilder } from 'fast-xml-parser';
import type { CanonicalCase } from '../gateway/intake/canonical-case';
import type { EvalScope } from './expression/fast-expression';
import type { MappingDefinition, OutputKind } from './mapping-compiler';
import { isoUtc } from './functions/date-time';
import { evaluateFields } from './plan-evaluator';
import {
  REVERSE_STATUSES,
  type CompiledMapping,
  type CompiledReverseMapping,
  type MappingContext,
  type MappingError,
  type MappingResult,
  type ReverseMapped,
  type ReverseMappingContext,
} from './mapping-types';

const xmlBuilder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
});

/** Evaluates a definition's fields over one input; sync when every expression is fast. */
export function runFields(
  definition: MappingDefinition,
  input: unknown,
  scope: EvalScope,
): MappingResult<Record<string, unknown>> | Promise<MappingResult<Record<string, unknown>>> {
  const errors: MappingError[] = [];
  const options = {
    direction: definition.direction,
    record: definition.output === 'record',
    allFast: definition.allFast,
  };
  const finish = (message: Record<string, unknown>): MappingResult<Record<string, unknown>> =>
    errors.length > 0 ? { ok: false, errors } : { ok: true, message };
  const value = evaluateFields(definition.fields, input, scope, options, errors);
  return value instanceof Promise ? value.then(finish) : finish(value);
}

export class ForwardMapping implements CompiledMapping {
  readonly id: string;
  readonly output: OutputKind;

  constructor(readonly definition: MappingDefinition) {
    this.id = definition.id;
    this.output = definition.output;
  }

  async map(document: CanonicalCase, context: MappingContext): Promise<MappingResult> {
    const now = context.now.getTime();
    if (!Number.isFinite(now))
      return { ok: false, errors: [{ field: '$ctx.now', reason: 'is not a valid date', code: 'INPUT' }] };
    const result = await runFields(this.definition, document, {
      ctx: forwardContext(context),
      root: document,
    });
    if (!result.ok || this.output !== 'xml') return result;
    return { ok: true, message: xmlBuilder.build(result.message) };
  }
}

export class ReverseMapping implements CompiledReverseMapping {
  readonly id: string;

  constructor(readonly definition: MappingDefinition) {
    this.id = definition.id;
  }

  async map(raw: unknown, context: ReverseMappingContext = {}): Promise<MappingResult<ReverseMapped>> {
    const ctx = {
      deliveryId: context.deliveryId,
      department: context.department ?? this.definition.department,
    };
    const result = await runFields(this.definition, raw, { ctx, root: raw });
    if (!result.ok) return result;
    return toReverseMapped(result.message);
  }
}

/** Checks what the fields produced against the canonical status vocabulary and types. */
function toReverseMapped(fields: Record<string, unknown>): MappingResult<ReverseMapped> {
  const errors: MappingError[] = [];
  const status = fields.status;
  if (typeof status !== 'string' || !(REVERSE_STATUSES as readonly string[]).includes(status)) {
    errors.push({
      field: 'status',
      reason: `${JSON.stringify(status)} is not one of ${REVERSE_STATUSES.join(', ')}`,
      code: 'TYPE',
    });
  }
  const mapped: ReverseMapped = { status: String(status) };
  for (const key of ['deliveryId', 'reference', 'remark', 'finishedAt'] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'number') mapped[key] = String(value);
    else errors.push({ field: key, reason: 'must be a single text value', code: 'TYPE' });
  }
  if (fields.resend !== undefined) {
    if (typeof fields.resend === 'boolean') mapped.resend = fields.resend;
    else errors.push({ field: 'resend', reason: 'must be true or false', code: 'TYPE' });
  } else if (status === 'RESEND') mapped.resend = true;
  return errors.length > 0 ? { ok: false, errors } : { ok: true, message: mapped };
}

/** `$ctx` for forward mappings; `now` as ISO 8601 text, which is what JSONata and $formatDate read. */
function forwardContext(context: MappingContext): Record<string, unknown> {
  return {
    caseId: context.caseId,
    deliveryId: context.deliveryId,
    department: context.department,
    now: isoUtc(context.now.getTime()),
  };
}
