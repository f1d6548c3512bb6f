import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import { MappingFunctionError } from './function-error';

export const DEFAULT_ZONE = 'Asia/Shanghai';

/** Local wall-clock fields plus the zone offset they were computed with. */
interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offsetMinutes: number;
}

type FormatPart = string | ((t: LocalTime) => string);

/** Captures: year, month, day, hour, minute, second?, fraction?, Z or sign, offset hours, minutes. */
const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const ISO_OUTPUT = "yyyy-MM-dd'T'HH:mm:ssZZ";
const OFFSET_BUCKET_MS = 15 * 60_000;
const MAX_CACHED_OFFSETS = 4096;
const MAX_CACHED_FORMATS = 256;
/** Layouts legacy systems use for timestamps, tried in order when $parseDate gets no format. */
const LEGACY_LAYOUTS = [
  'yyyy-MM-dd HH:mm:ss',
  'yyyyMMddHHmmss',
  'yyyy/MM/dd HH:mm:ss',
  'yyyy-MM-dd',
  'yyyyMMdd',
];

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
const offsetText = (minutes: number, colon: boolean): string => {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}${colon ? ':' : ''}${two(abs % 60)}`;
};

/** Tokens formatted without luxon: the layouts departments actually use. Anything else goes to luxon. */
const FAST_TOKENS: Record<string, (t: LocalTime) => string> = {
  yyyy: (t) => String(t.year).padStart(4, '0'),
  MM: (t) => two(t.month),
  dd: (t) => two(t.day),
  HH: (t) => two(t.hour),
  mm: (t) => two(t.minute),
  ss: (t) => two(t.second),
  SSS: (t) => String(t.millisecond).padStart(3, '0'),
  ZZ: (t) => offsetText(t.offsetMinutes, true),
  ZZZ: (t) => offsetText(t.offsetMinutes, false),
};

const formatCache = new Map<string, FormatPart[] | null>();
const UTC: Zone = FixedOffsetZone.utcInstance;
const zoneCache = new Map<string, Zone>();
const offsetCache = new Map<Zone, Map<number, number>>();

/** Splits a luxon format into fast parts; null when it uses tokens only luxon knows. */
function compileFormat(format: string): FormatPart[] | null {
  const cached = formatCache.get(format);
  if (cached !== undefined) return cached;
  const parts: FormatPart[] = [];
  let fast = true;
  let consumed = 0;
  for (const match of format.matchAll(/'([^']*)'|([A-Za-z])\2*|[^A-Za-z']+/g)) {
    const text = match[0];
    consumed += text.length;
    if (match[1] !== undefined) parts.push(match[1]);
    else if (match[2] === undefined) parts.push(text);
    else if (FAST_TOKENS[text]) parts.push(FAST_TOKENS[text]);
    else fast = false;
  }
  // A stray quote matches nothing above: let luxon decide what it means.
  const result = fast && consumed === format.length ? parts : null;
  if (formatCache.size >= MAX_CACHED_FORMATS) formatCache.clear(); // formats could come from data
  formatCache.set(format, result);
  return result;
}

export function zoneFor(name: string): Zone {
  let zone = zoneCache.get(name);
  if (zone === undefined) {
    zone = IANAZone.isValidZone(name) ? IANAZone.create(name) : FixedOffsetZone.parseSpecifier(name);
    if (zone === null || !zone.isValid) throw new MappingFunctionError(`unknown time zone "${name}"`);
    if (zoneCache.size >= MAX_CACHED_FORMATS) zoneCache.clear();
    zoneCache.set(name, zone);
  }
  return zone;
}

/** Zone offsets change at most every quarter hour, so one lookup per bucket avoids Intl on every call. */
function offsetAt(zone: Zone, epochMs: number): number {
  let byBucket = offsetCache.get(zone);
  if (byBucket === undefined) offsetCache.set(zone, (byBucket = new Map<number, number>()));
  const bucket = Math.floor(epochMs / OFFSET_BUCKET_MS);
  let offset = byBucket.get(bucket);
  if (offset === undefined) {
    if (byBucket.size >= MAX_CACHED_OFFSETS) byBucket.clear();
    offset = zone.offset(epochMs);
    byBucket.set(bucket, offset);
  }
  return offset;
}

/** Wall-clock fields of an instant in a zone, by calendar arithmetic (no Date objects on the hot path). */
function localTime(epochMs: number, zone: Zone): LocalTime {
  const offsetMinutes = offsetAt(zone, epochMs);
  const local = epochMs + offsetMinutes * 60_000;
  const days = Math.floor(local / 86_400_000);
  let rest = local - days * 86_400_000;
  const [year, month, day] = civilFromDays(days);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  return { year, month, day, hour, minute, second, millisecond: rest - second * 1000, offsetMinutes };
}

/** Days since 1970-01-01 → [year, month, day] (Howard Hinnant's civil_from_days). */
function civilFromDays(epochDays: number): [number, number, number] {
  const z = epochDays + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** An ISO 8601 date-time with an offset → epoch ms; NaN for impossible dates (2026-02-30). */
function parseIsoWithOffset(m: RegExpExecArray): number {
  const [year, month, day, hour, minute] = [+m[1], +m[2], +m[3], +m[4], +m[5]];
  const second = m[6] === undefined ? 0 : +m[6];
  const millisecond = m[7] === undefined ? 0 : Math.floor(+`0.${m[7]}` * 1000);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return NaN;
  }
  const offset = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (+m[10] * 60 + +m[11]);
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offset * 60_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function render(time: LocalTime, format: string, zone: Zone): string {
  const parts = compileFormat(format);
  if (parts === null) {
    const { year, month, day, hour, minute, second, millisecond } = time;
    return DateTime.fromObject({ year, month, day, hour, minute, second, millisecond }, { zone }).toFormat(
      format,
    );
  }
  let out = '';
  for (const part of parts) out += typeof part === 'string' ? part : part(time);
  return out;
}

/**
 * `$formatDate`: an instant (ISO 8601 with offset, Date, epoch ms) shown in a zone; a date-only
 * value (`2026-10-31`) is a calendar date and is never shifted across midnight.
 */
export function formatDate(
  value: unknown,
  format: unknown,
  zoneName: unknown = DEFAULT_ZONE,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof format !== 'string') throw new MappingFunctionError('$formatDate needs a format string');
  const zone = zoneFor(typeof zoneName === 'string' ? zoneName : DEFAULT_ZONE);
  if (typeof value === 'string') {
    const date = DATE_ONLY.exec(value);
    if (date) return render(calendarDate(date, zone, value), format, zone);
    const iso = ISO_WITH_OFFSET.exec(value);
    if (iso) return render(localTime(instant(parseIsoWithOffset(iso), value), zone), format, zone);
    const parsed = DateTime.fromISO(value, { zone });
    if (!parsed.isValid) throw new MappingFunctionError(`"${value}" is not an ISO 8601 date or date-time`);
    return parsed.toFormat(format);
  }
  if (value instanceof Date) return render(localTime(instant(value.getTime(), value), zone), format, zone);
  if (typeof value === 'number') return render(localTime(instant(value, value), zone), format, zone);
  throw new MappingFunctionError(`cannot format ${typeof value} as a date`);
}

/** `$birthDate` and friends: YYYYMMDD digits (already checked) in any date format. */
export function formatCalendarDate(year: number, month: number, day: number, format: string): string {
  const time = { year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0, offsetMinutes: 0 };
  return render(time, format, UTC);
}

/**
 * `$parseDate`: a department's timestamp → ISO 8601 with the zone's offset. Without a format it
 * takes ISO 8601 or one of the usual legacy layouts; values without an offset are in `zone`.
 */
export function parseDate(
  value: unknown,
  format?: unknown,
  zoneName: unknown = DEFAULT_ZONE,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new MappingFunctionError(`cannot parse ${typeof value} as a date`);
  const zone = zoneFor(typeof zoneName === 'string' ? zoneName : DEFAULT_ZONE);
  const text = value.trim();
  const layout = typeof format === 'string' && format !== '' ? format : undefined;
  const fast = parseCommon(text, layout, zone);
  if (fast !== undefined) return render(localTime(fast, zone), ISO_OUTPUT, zone);
  let parsed: DateTime;
  if (layout !== undefined) parsed = DateTime.fromFormat(text, layout, { zone });
  else {
    parsed = DateTime.fromISO(text, { zone });
    for (const legacy of LEGACY_LAYOUTS) {
      if (parsed.isValid) break;
      parsed = DateTime.fromFormat(text, legacy, { zone });
    }
  }
  if (!parsed.isValid) {
    throw new MappingFunctionError(
      `"${value}" is not a date-time in ${layout ?? 'ISO 8601 or a legacy layout'}`,
    );
  }
  return parsed.setZone(zone).toFormat(ISO_OUTPUT);
}

/** The two layouts nearly every department uses, without luxon's format parser (~100 µs). */
function parseCommon(text: string, layout: string | undefined, zone: Zone): number | undefined {
  if (layout === undefined) {
    const iso = ISO_WITH_OFFSET.exec(text);
    if (iso) {
      const epoch = parseIsoWithOffset(iso);
      return Number.isNaN(epoch) ? undefined : epoch;
    }
  }
  if (layout !== undefined && layout !== 'yyyy-MM-dd HH:mm:ss') return undefined;
  const m = LOCAL_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]];
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined; // luxon reports it
  }
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  // The offset of the instant, not of the wall time read as UTC: two passes settle it.
  const guess = wall - offsetAt(zone, wall) * 60_000;
  return wall - offsetAt(zone, guess) * 60_000;
}

function instant(epochMs: number, original: unknown): number {
  if (!Number.isFinite(epochMs))
    throw new MappingFunctionError(`${String(original)} is not a valid date-time`);
  return epochMs;
}

function calendarDate(match: RegExpExecArray, zone: Zone, original: string): LocalTime {
  const [year, month, day] = [+match[1], +match[2], +match[3]];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new MappingFunctionError(`"${original}" is not a real date`);
  }
  // The zone's offset around that local midnight, for ZZ in the format.
  const offsetMinutes = offsetAt(zone, Date.UTC(year, month - 1, day));
  return { year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0, offsetMinutes };
}

/** Date.prototype.toISOString without its cost (it is called once per mapped case for `$ctx.now`). */
export function isoUtc(epochMs: number): string {
  const t = localTime(epochMs, UTC);
  const ms = String(t.millisecond).padStart(3, '0');
  return `${String(t.year).padStart(4, '0')}-${two(t.month)}-${two(t.day)}T${two(t.hour)}:${two(t.minute)}:${two(t.second)}.${ms}Z`;
}
