/**
 * Mainland resident identity card numbers (GB 11643-1999): 6-digit region code, 8-digit birth date,
 * 3-digit sequence (odd = male), ISO 7064 MOD 11-2 check character.
 *
 * The region code is deliberately not checked: numbers keep the code of the county that issued them,
 * including counties abolished or renumbered since, so no current table can judge it.
 */

export type ResidentIdCheck =
  | { ok: true; normalized: string; birthDate: string /* YYYY-MM-DD */; gender: 'M' | 'F' }
  | { ok: false; reason: string };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character indexed by (weighted sum mod 11). */
const CHECK_CHARS = '10X98765432';
const SHAPE = /^[0-9]{17}[0-9Xx]$/;
const FIRST_17 = /^[0-9]{17}$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
/** China has had no daylight saving since 1991, so "today" for a birth date is a fixed UTC+8. */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Check character for 17 leading digits; throws RangeError on anything else. */
export function residentIdCheckDigit(first17: string): string {
  if (!FIRST_17.test(first17)) throw new RangeError('residentIdCheckDigit needs exactly 17 ASCII digits');
  return checkChar(first17);
}

/** `now` defaults to the current time; the birth date must not be after today's date in China. */
export function checkResidentIdNumber(value: string, now?: Date): ResidentIdCheck {
  if (value.length !== 18) return { ok: false, reason: `must be 18 characters long, got ${value.length}` };
  if (!SHAPE.test(value)) return { ok: false, reason: 'must be 17 digits followed by a digit or X' };

  const year = digits(value, 6, 4);
  const month = digits(value, 10, 2);
  const day = digits(value, 12, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: `birth date ${value.slice(6, 14)} is not a real date` };
  }
  if (year < 1900) return { ok: false, reason: `birth date ${value.slice(6, 14)} is before 1900` };
  if (year * 10000 + month * 100 + day > chinaToday(now === undefined ? Date.now() : now.getTime())) {
    return { ok: false, reason: `birth date ${value.slice(6, 14)} is in the future` };
  }

  const expected = checkChar(value);
  const last = value.charCodeAt(17) === 0x78 /* x */ ? 'X' : value[17];
  if (last !== expected) return { ok: false, reason: `check digit is wrong: expected ${expected}` };

  return {
    ok: true,
    normalized: last === value[17] ? value : value.slice(0, 17) + last,
    birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
    gender: (value.charCodeAt(16) - 0x30) % 2 === 1 ? 'M' : 'F',
  };
}

/** Assumes the first 17 characters are ASCII digits. */
function checkChar(s: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s.charCodeAt(i) - 0x30) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

function digits(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 10 + (s.charCodeAt(i) - 0x30);
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1];
}

/**
 * Today's date in China as YYYYMMDD, whatever the server's time zone. Plain arithmetic (the
 * days-to-civil algorithm from Howard Hinnant's date library) because Date objects cost more than
 * the rest of the check.
 */
function chinaToday(epochMs: number): number {
  if (!Number.isFinite(epochMs)) throw new RangeError('checkResidentIdNumber: now is an invalid Date');
  const days = Math.floor((epochMs + CHINA_OFFSET_MS) / 86_400_000) + 719_468;
  const era = Math.floor(days / 146_097);
  const dayOfEra = days - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return year * 10000 + month * 100 + day;
}
