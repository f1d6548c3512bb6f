import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { createHash } from 'node:crypto';
import { flattenValidationErrors, toJsonPointer } from '../../common/validation/flatten-validation-errors';
import { ProblemException, type FieldError } from '../../common/problem/problem';
import type { TongbanConfig } from '../../config/tongban-config';
import type { RegionTable } from '../../regions/region-table';
import type { ApiClient } from '../auth/api-client';
import { CanonicalCaseDto } from '../cases/dto/canonical-case.dto';
import { checkResidentIdNumber } from '../validation/resident-id';
import { hasControlCharacters, isPersonName, normalizeJsonInput } from '../validation/text-normalization';
import type { CanonicalCase, ValidatedCase } from './canonical-case';
import { isWellShapedCase } from './canonical-case-shape';

const MAX_DEPTH = 32;
const MAX_FUTURE_MS = 5 * 60_000;
const MAX_INLINE_ATTACHMENT_BYTES = 2 * 1024 * 1024;
const OTHER_ID_PATTERN = /^[A-Z0-9]{5,20}$/;
/** Fields that must never hold control characters (form values may hold line breaks). */
const PLAIN_TEXT_POINTERS: Array<[string, (c: CanonicalCaseDto) => unknown]> = [
  ['/externalId', (c) => c.externalId],
  ['/applicant/idNumber', (c) => c.applicant.idNumber],
  ['/applicant/phone', (c) => c.applicant.phone],
  ['/applicant/address', (c) => c.applicant.address],
  ['/acceptedBy/operatorId', (c) => c.acceptedBy.operatorId],
  ['/acceptedBy/stationId', (c) => c.acceptedBy.stationId],
];

/**
 * Turns an untrusted submission into a canonical case or a 400 listing every invalid field. The
 * same validator serves HTTP, the microservice transport and intake profiles.
 */
export class CaseValidator {
  constructor(
    private readonly config: Pick<TongbanConfig, 'formValidators'>,
    private readonly regions: RegionTable,
  ) {}

  validate(raw: unknown, client: ApiClient, now = new Date()): ValidatedCase {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw ProblemException.invalid([{ pointer: '', reason: 'the body must be a JSON object' }]);
    }
    const normalized = normalizeJsonInput(raw, { maxDepth: MAX_DEPTH });
    if (normalized.problems.length > 0) throw ProblemException.invalid(normalized.problems);

    const dto = isWellShapedCase(normalized.value)
      ? (normalized.value as unknown as CanonicalCaseDto)
      : checkedShape(normalized.value);

    const errors: FieldError[] = [];
    const flags: string[] = [];
    const document = normalized.value as CanonicalCase;
    this.checkApplicant(dto, document, now, errors);
    this.checkRegion(dto.region.code, errors, flags);
    this.checkAcceptedAt(dto.acceptedAt, now, errors);
    this.checkAttachments(dto, errors);
    this.checkForm(dto, errors);
    for (const [pointer, read] of PLAIN_TEXT_POINTERS) {
      const value = read(dto);
      if (typeof value === 'string' && hasControlCharacters(value))
        errors.push({ pointer, reason: 'contains control characters' });
    }
    if (dto.source !== undefined && dto.source !== client.source && !client.scopes.has('admin')) {
      errors.push({ pointer: '/source', reason: `this API key submits for source ${client.source} only` });
    }
    if (errors.length > 0) throw ProblemException.invalid(errors);

    document.schemaVersion = 1;
    document.source = dto.source ?? client.source;
    return { document, flags };
  }

  private checkApplicant(
    dto: CanonicalCaseDto,
    document: CanonicalCase,
    now: Date,
    errors: FieldError[],
  ): void {
    const { applicant } = dto;
    if (hasControlCharacters(applicant.name) || !isPersonName(applicant.name)) {
      errors.push({
        pointer: '/applicant/name',
        reason: 'must be 1–50 letters of a name (any script, spaces, middle dot ·, hyphen or apostrophe)',
      });
    }
    if (applicant.idType === 'RESIDENT_ID') {
      const check = checkResidentIdNumber(applicant.idNumber, now);
      if (check.ok) document.applicant.idNumber = check.normalized;
      else errors.push({ pointer: '/applicant/idNumber', reason: check.reason });
    } else {
      const upper = applicant.idNumber.toUpperCase();
      if (OTHER_ID_PATTERN.test(upper)) document.applicant.idNumber = upper;
      else
        errors.push({
          pointer: '/applicant/idNumber',
          reason: `must be 5–20 letters or digits for ${applicant.idType}`,
        });
    }
  }

  private checkRegion(code: string, errors: FieldError[], flags: string[]): void {
    const check = this.regions.checkCommunityCode(code);
    if (!check.ok) errors.push({ pointer: '/region/code', reason: check.reason });
    else flags.push(...check.flags);
  }

  private checkAcceptedAt(acceptedAt: string, now: Date, errors: FieldError[]): void {
    const time = Date.parse(acceptedAt);
    if (Number.isNaN(time) || !isRealCalendarDate(acceptedAt)) {
      errors.push({ pointer: '/acceptedAt', reason: 'is not a real date and time' });
    } else if (time > now.getTime() + MAX_FUTURE_MS) {
      errors.push({ pointer: '/acceptedAt', reason: 'is more than 5 minutes in the future' });
    }
  }

  private checkAttachments(dto: CanonicalCaseDto, errors: FieldError[]): void {
    (dto.attachments ?? []).forEach((a, i) => {
      const at = `/attachments/${i}`;
      const carriers = [a.licenseRef, a.url, a.contentBase64].filter((v) => v !== undefined).length;
      if (carriers !== 1) {
        errors.push({ pointer: at, reason: 'must have exactly one of licenseRef, url or contentBase64' });
        return;
      }
      if (a.contentBase64 === undefined) return;
      const content = Buffer.from(a.contentBase64, 'base64');
      if (content.length > MAX_INLINE_ATTACHMENT_BYTES) {
        errors.push({
          pointer: `${at}/contentBase64`,
          reason: 'is larger than 2 MB decoded; send it by licenseRef or url',
        });
      } else if (createHash('sha256').update(content).digest('hex') !== a.sha256) {
        errors.push({ pointer: `${at}/sha256`, reason: 'does not match the SHA-256 of contentBase64' });
      }
    });
  }

  private checkForm(dto: CanonicalCaseDto, errors: FieldError[]): void {
    const validate = this.config.formValidators.get(dto.serviceCode);
    if (!validate) return;
    if (!validate(dto.form ?? {})) {
      for (const e of validate.errors ?? []) {
        const property = (e.params as { missingProperty?: string; additionalProperty?: string }) ?? {};
        const child = property.missingProperty ?? property.additionalProperty;
        errors.push({
          pointer: `/form${e.instancePath}${child ? `/${child}` : ''}`,
          reason: property.additionalProperty ? 'unknown property' : (e.message ?? 'is invalid'),
        });
      }
    }
  }
}

/** class-validator's verdict: the DTO, or a 400 naming every field whose shape is wrong. */
function checkedShape(value: unknown): CanonicalCaseDto {
  const dto = plainToInstance(CanonicalCaseDto, value, { enableImplicitConversion: false });
  const shapeErrors = validateSync(dto, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  if (shapeErrors.length === 0) return dto;
  throw ProblemException.invalid(
    flattenValidationErrors(shapeErrors).map((p) => ({
      pointer: toJsonPointer(p.segments),
      reason: p.reason,
    })),
  );
}

/** Date.parse accepts 2026-02-30 and rolls it over; a case's acceptance time must be a real date. */
function isRealCalendarDate(iso: string): boolean {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
