import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CanonicalCaseDto } from '../../src/gateway/cases/dto/canonical-case.dto';
import { isWellShapedCase } from '../../src/gateway/intake/canonical-case-shape';
import { sampleCase } from '../support/sample-case';

type Json = Record<string, unknown>;

function classValidatorAccepts(value: unknown): boolean {
  const dto = plainToInstance(CanonicalCaseDto, value, { enableImplicitConversion: false });
  return (
    validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }).length === 0
  );
}

/** Values that probe types, lengths and patterns (incl. a lone variation selector, which Length ignores). */
const PROBES: unknown[] = [
  undefined,
  null,
  0,
  1,
  true,
  [],
  {},
  '',
  ' ',
  '\uFE0F',
  '\uFE0F\uFE0E',
  'x',
  '𠮷',
  'x'.repeat(32),
  'x'.repeat(33),
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(200),
  'x'.repeat(201),
  'A1',
  'a',
  'HRSS-UNEMP-REG',
  'hrss-unemp-reg',
  '-A',
  '510104017003',
  '51010401700',
  '5101040170031',
  '２１０１０４０１７００３',
  '2026-11-20T09:30:00+08:00',
  '2026-11-20T09:30+08:00',
  '2026-11-20T09:30:00',
  '2026-11-20 09:30:00+08:00',
  '2026-11-20T09:30:00.123456789Z',
  '+86 138-0013-8000',
  '138',
  'RESIDENT_ID',
  'PASSPORT',
  'resident_id',
  'WINDOW',
  'TV',
  'window',
  1.5,
  { nested: true },
];

/** Every path of the sample case, with parents first. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.keys(value).flatMap((key) => [
    [...prefix, key],
    ...paths((value as Json)[key], [...prefix, key]),
  ]);
}

function withValue(base: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(base);
  let target: Json = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Json;
  const last = path[path.length - 1];
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

function isObjectAt(base: Json, path: string[]): boolean {
  const value = path.reduce<unknown>((at, key) => (at as Json)[key], base);
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const OPTIONAL_PATHS = [
  ['schemaVersion'],
  ['source'],
  ['applicant', 'phone'],
  ['applicant', 'address'],
  ['form'],
];

describe('isWellShapedCase (intake fast path)', () => {
  const base = sampleCase({ schemaVersion: 1, source: 'demo-platform' });
  (base.applicant as Json).address = '四川省成都市锦江区春熙路1号';

  it('accepts well-formed cases, with and without their optional fields', () => {
    expect(isWellShapedCase(base)).toBe(true);
    for (const path of OPTIONAL_PATHS) expect(isWellShapedCase(withValue(base, path, undefined))).toBe(true);
    expect(isWellShapedCase(withValue(base, ['applicant', 'idType'], 'PASSPORT'))).toBe(true);
    expect(isWellShapedCase(withValue(base, ['acceptedBy', 'channel'], 'TV'))).toBe(true);
  });

  it('never accepts what class-validator rejects, over every field × probe and unknown properties', () => {
    const variants: Json[] = [];
    for (const path of paths(base)) for (const probe of PROBES) variants.push(withValue(base, path, probe));
    const objects = [[], ...paths(base)].filter((path) => isObjectAt(base, path));
    for (const path of objects) variants.push(withValue(base, [...path, 'unexpected'], 'x'));
    variants.push(withValue(base, ['attachments'], []));

    let fastAccepted = 0;
    let bothRejected = 0;
    for (const variant of variants) {
      const fast = isWellShapedCase(variant);
      const authority = classValidatorAccepts(variant);
      if (fast && !authority)
        throw new Error(`fast path accepted what class-validator rejects: ${JSON.stringify(variant)}`);
      if (fast) fastAccepted++;
      if (!fast && !authority) bothRejected++;
    }
    // Both outcomes occur: the comparison is not vacuous.
    expect(fastAccepted).toBeGreaterThan(50);
    expect(bothRejected).toBeGreaterThan(300);
  });

  it('leaves cases with attachments to class-validator', () => {
    const withAttachment = withValue(
      base,
      ['attachments'],
      [
        {
          type: 'ID_CARD_COPY',
          name: 'a.pdf',
          mediaType: 'application/pdf',
          sha256: 'a'.repeat(64),
          licenseRef: 'L-1',
        },
      ],
    );
    expect(classValidatorAccepts(withAttachment)).toBe(true);
    expect(isWellShapedCase(withAttachment)).toBe(false);
  });
});
