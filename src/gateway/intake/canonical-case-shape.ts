import Ajv from 'ajv';
import { CHANNELS } from '../cases/dto/accepted-by.dto';
import { ID_TYPES, PHONE_PATTERN } from '../cases/dto/applicant.dto';
import {
  ISO_8601_WITH_OFFSET,
  SCHEMA_VERSIONS,
  SERVICE_CODE_PATTERN,
  SOURCE_PATTERN,
} from '../cases/dto/canonical-case.dto';
import { REGION_CODE_PATTERN } from '../cases/dto/region.dto';

/**
 * class-validator's Length ignores the variation selectors U+FE0E/U+FE0F, ajv counts them: requiring
 * one other character keeps "at least 1" at least as strict here as there.
 */
const SOME_TEXT = '[^\\uFE0E\\uFE0F]';

const text = (maxLength: number) => ({ type: 'string', maxLength, pattern: SOME_TEXT });
const matching = (pattern: RegExp) => ({ type: 'string', pattern: pattern.source });
const closed = (properties: Record<string, object>, required: string[]) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

/**
 * The shape of CanonicalCaseDto as one JSON schema, compiled once. Cases with attachments are left to
 * class-validator (URL and base64 rules have no exact JSON-schema twin).
 */
const SCHEMA = closed(
  {
    schemaVersion: { enum: [...SCHEMA_VERSIONS] },
    externalId: text(64),
    source: matching(SOURCE_PATTERN),
    serviceCode: matching(SERVICE_CODE_PATTERN),
    region: closed({ code: matching(REGION_CODE_PATTERN) }, ['code']),
    applicant: closed(
      {
        name: { type: 'string' },
        idType: { enum: [...ID_TYPES] },
        idNumber: text(32),
        phone: matching(PHONE_PATTERN),
        address: text(200),
      },
      ['name', 'idType', 'idNumber'],
    ),
    acceptedAt: matching(ISO_8601_WITH_OFFSET),
    acceptedBy: closed({ operatorId: text(64), stationId: text(64), channel: { enum: [...CHANNELS] } }, [
      'operatorId',
      'stationId',
      'channel',
    ]),
    form: { type: 'object' },
  },
  ['externalId', 'serviceCode', 'region', 'applicant', 'acceptedAt', 'acceptedBy'],
);

/**
 * The intake fast path: true means class-validator would accept the submission's shape too
 * (test/unit/canonical-case-shape.spec.ts checks that over many variants), so the per-request
 * plainToInstance + validateSync (~0.2 ms) is skipped. False only means "ask class-validator", which
 * stays the authority and names every invalid field.
 */
export const isWellShapedCase = new Ajv({ allErrors: false, strict: true }).compile(SCHEMA);
