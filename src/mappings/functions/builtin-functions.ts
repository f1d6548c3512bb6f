import { maskIdNumber, maskName, maskPhone, scrubPersonalData } from '../../common/masking';
import { checkResidentIdNumber } from '../../gateway/validation/resident-id';
import type { RegionNames, RegionTable } from '../../regions/region-table';
import { formatCalendarDate, formatDate, parseDate } from './date-time';
import { MappingFunctionError } from './function-error';
import { fenToYuan, yuanToFen } from './money';

export type BuiltinFunction = (...args: unknown[]) => unknown;

/** Names callable as `$name(...)` in every mapping, besides JSONata's own library. */
export const BUILTIN_NAMES = [
  'birthDate',
  'gender',
  'formatDate',
  'parseDate',
  'regionName',
  'mask',
  'pad',
  'yuanToFen',
  'fenToYuan',
  'code',
] as const;

const REGION_LEVELS = ['province', 'city', 'county', 'street'] as const;
const MASK_KINDS = ['idNumber', 'phone', 'name', 'text'] as const;

/** The built-ins that do not depend on a mapping's code tables; `$code` is added per mapping. */
export function sharedBuiltins(regions: RegionTable): Record<string, BuiltinFunction> {
  return {
    birthDate: (id, format = 'yyyy-MM-dd') => {
      const checked = residentId(id, '$birthDate');
      if (checked === undefined) return undefined;
      if (typeof format !== 'string') throw new MappingFunctionError('$birthDate: format must be a string');
      const b = checked.birthDate; // YYYY-MM-DD
      return formatCalendarDate(+b.slice(0, 4), +b.slice(5, 7), +b.slice(8, 10), format);
    },
    gender: (id) => residentId(id, '$gender')?.gender,
    formatDate: (value, format, zone) => formatDate(value, format, zone ?? undefined),
    parseDate: (value, format, zone) => parseDate(value, format, zone ?? undefined),
    regionName: (code, level = 'full') => regionName(regions, code, level),
    mask,
    pad: padValue,
    yuanToFen,
    fenToYuan,
  };
}

type ResidentIdCheck = ReturnType<typeof checkResidentIdNumber>;

/** $gender and $birthDate usually read the same number one after the other: check it once. */
let lastId: { value: string; check: ResidentIdCheck } | undefined;

/** A valid 18-character resident ID number, or undefined for no value; anything else is an error. */
function residentId(value: unknown, fn: string): { birthDate: string; gender: 'M' | 'F' } | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new MappingFunctionError(`${fn}: expected a resident ID number`, 'TYPE');
  if (lastId?.value !== value) lastId = { value, check: checkResidentIdNumber(value) };
  const { check } = lastId;
  if (!check.ok)
    throw new MappingFunctionError(`${fn}: not a valid resident ID number (${check.reason})`, 'TYPE');
  return check;
}

function regionName(regions: RegionTable, code: unknown, level: unknown): string | undefined {
  if (code === undefined || code === null || code === '') return undefined;
  if (typeof code !== 'string')
    throw new MappingFunctionError('$regionName: the code must be a string', 'TYPE');
  const names: RegionNames = regions.describe(code);
  if (level === 'full') {
    const joined = REGION_LEVELS.map((l) => names[l] ?? '').join('');
    return joined === '' ? undefined : joined;
  }
  if (!REGION_LEVELS.includes(level as (typeof REGION_LEVELS)[number])) {
    throw new MappingFunctionError(`$regionName: level must be one of ${REGION_LEVELS.join(', ')} or full`);
  }
  return names[level as (typeof REGION_LEVELS)[number]];
}

function mask(value: unknown, kind: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = scalarText(value, '$mask');
  switch (kind as (typeof MASK_KINDS)[number]) {
    case 'idNumber':
      return maskIdNumber(text);
    case 'phone':
      return maskPhone(text);
    case 'name':
      return maskName(text);
    case 'text':
      return scrubPersonalData(text);
    default:
      throw new MappingFunctionError(`$mask: kind must be one of ${MASK_KINDS.join(', ')}`);
  }
}

/** Pads to `width` code points; a longer value is an error, never cut (it would corrupt a record). */
export function padValue(
  value: unknown,
  width: unknown,
  char: unknown = ' ',
  side: unknown = 'right',
): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof width !== 'number' || !Number.isInteger(width) || width < 0) {
    throw new MappingFunctionError('$pad: width must be a whole number ≥ 0');
  }
  const fill = char ?? ' ';
  if (typeof fill !== 'string' || Array.from(fill).length !== 1) {
    throw new MappingFunctionError('$pad: the padding character must be exactly one character');
  }
  if (side !== 'left' && side !== 'right' && side !== undefined && side !== null) {
    throw new MappingFunctionError('$pad: side must be left or right');
  }
  const text = scalarText(value, '$pad');
  const length = codePointLength(text);
  if (length > width) {
    throw new MappingFunctionError(
      `is ${length} characters long, wider than the pad width ${width}`,
      'PAD_WIDTH',
    );
  }
  const padding = fill.repeat(width - length);
  return side === 'left' ? padding + text : text + padding;
}

function scalarText(value: unknown, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new MappingFunctionError(`${fn}: expected a single value, got ${typeof value}`, 'TYPE');
}

/** Characters as people count them: 𠮷 (outside the BMP) is one, not two UTF-16 units. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= text.length) n++;
    else {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      n++;
    }
  }
  return n;
}
