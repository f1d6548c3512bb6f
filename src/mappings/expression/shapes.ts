import type { CanonicalCase } from '../../gateway/intake/canonical-case';
import type { AcceptedByDto } from '../../gateway/cases/dto/accepted-by.dto';
import type { ApplicantDto } from '../../gateway/cases/dto/applicant.dto';
import type { AttachmentDto } from '../../gateway/cases/dto/attachment.dto';
import type { RegionDto } from '../../gateway/cases/dto/region.dto';
import type { MappingContext, ReverseMappingContext } from '../mapping-types';

/**
 * What an expression may read, for start-up checks of field names. `free` is anything (a form
 * without a schema, a department's message); `closed` objects reject unknown names.
 */
export type Shape =
  | { kind: 'free' }
  | { kind: 'scalar' }
  | { kind: 'array'; items: Shape }
  | { kind: 'object'; props: Readonly<Record<string, Shape>>; label: string };

export const FREE: Shape = { kind: 'free' };
const S: Shape = { kind: 'scalar' };
const object = (label: string, props: Record<string, Shape>): Shape => ({ kind: 'object', props, label });

// `satisfies Record<keyof …>`: adding or removing a DTO property fails compilation here until the
// shape follows, so the start-up check never drifts from the canonical case.
const APPLICANT = {
  name: S,
  idType: S,
  idNumber: S,
  phone: S,
  address: S,
} satisfies Record<keyof ApplicantDto, Shape>;
const REGION = { code: S } satisfies Record<keyof RegionDto, Shape>;
const ACCEPTED_BY = { operatorId: S, stationId: S, channel: S } satisfies Record<keyof AcceptedByDto, Shape>;
const ATTACHMENT = {
  type: S,
  name: S,
  mediaType: S,
  sha256: S,
  licenseRef: S,
  url: S,
  contentBase64: S,
} satisfies Record<keyof AttachmentDto, Shape>;

/** The canonical case; `form` is service-specific, refined by a mapping's `formSchema`. */
export function canonicalShape(form: Shape = FREE): Shape {
  const props = {
    schemaVersion: S,
    externalId: S,
    source: S,
    serviceCode: S,
    region: object('region', REGION),
    applicant: object('applicant', APPLICANT),
    acceptedAt: S,
    acceptedBy: object('acceptedBy', ACCEPTED_BY),
    form,
    attachments: { kind: 'array', items: object('attachments', ATTACHMENT) },
  } satisfies Record<keyof CanonicalCase, Shape>;
  return object('canonical case', props);
}

export const FORWARD_CONTEXT: Shape = object('$ctx', {
  caseId: S,
  deliveryId: S,
  department: S,
  now: S,
} satisfies Record<keyof MappingContext, Shape>);

export const REVERSE_CONTEXT: Shape = object('$ctx', {
  deliveryId: S,
  department: S,
} satisfies Record<keyof ReverseMappingContext, Shape>);

export const INTAKE_CONTEXT: Shape = object('$ctx', { profileId: S, contentType: S });

/** A JSON Schema (as in config/forms) → shape; anything it does not pin down stays free. */
export function shapeFromJsonSchema(schema: unknown, label: string): Shape {
  if (schema === null || typeof schema !== 'object') return FREE;
  const s = schema as { type?: unknown; properties?: unknown; items?: unknown; enum?: unknown };
  if (s.properties !== null && typeof s.properties === 'object') {
    const props: Record<string, Shape> = {};
    for (const [name, sub] of Object.entries(s.properties as Record<string, unknown>)) {
      props[name] = shapeFromJsonSchema(sub, `${label}.${name}`);
    }
    return object(label, props);
  }
  if (s.type === 'array') return { kind: 'array', items: shapeFromJsonSchema(s.items, label) };
  if (['string', 'integer', 'number', 'boolean'].includes(String(s.type)) || Array.isArray(s.enum)) return S;
  return FREE;
}

/** The shape one step further down a path (arrays are mapped over, as JSONata does). */
export function stepInto(shape: Shape, name: string): Shape | { unknown: string } {
  switch (shape.kind) {
    case 'free':
      return FREE;
    case 'array':
      return stepInto(shape.items, name);
    case 'scalar':
      return { unknown: `"${name}" is read from a plain value, which has no fields` };
    case 'object': {
      const next = shape.props[name];
      if (next !== undefined) return next;
      const known = Object.keys(shape.props).join(', ');
      return { unknown: `${shape.label} has no field "${name}" (known: ${known})` };
    }
  }
}

export function elementOf(shape: Shape): Shape {
  return shape.kind === 'array' ? shape.items : shape;
}
