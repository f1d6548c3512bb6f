import { formatDate, parseDate } from '../../src/mappings/functions/date-time';
import { sharedBuiltins } from '../../src/mappings/functions/builtin-functions';
import { fenToYuan, yuanToFen } from '../../src/mappings/functions/money';
import { RegionTable } from '../../src/regions/region-table';

const fn = sharedBuiltins(RegionTable.load());

describe('mapping built-in functions', () => {
  describe('$birthDate and $gender from an 18-digit resident ID', () => {
    it.each([
      ['11010519491231002X', 'yyyyMMdd', '19491231', 'F'], // X check digit
      ['11010519491231002x', 'yyyy-MM-dd', '1949-12-31', 'F'], // lower-case x is the same number
      ['510104198503122315', 'yyyy-MM-dd', '1985-03-12', 'M'],
      ['510104200002290011', 'yyyy/MM/dd', '2000/02/29', 'M'], // a leap day
      ['510104198811050528', "yyyy'年'MM'月'dd'日'", '1988年11月05日', 'F'],
    ])('%s → %s %s', (id, format, birthDate, gender) => {
      expect(fn.birthDate(id, format)).toBe(birthDate);
      expect(fn.gender(id)).toBe(gender);
    });

    it('defaults to yyyy-MM-dd and gives nothing for no value', () => {
      expect(fn.birthDate('510104198503122315')).toBe('1985-03-12');
      expect(fn.birthDate(undefined)).toBeUndefined();
      expect(fn.gender(null)).toBeUndefined();
    });

    it.each([
      ['E12345678', 'must be 18 characters long'],
      ['110105194912310021', 'check digit is wrong: expected X'],
      ['110105194902300021', 'birth date 19490230 is not a real date'],
    ])('refuses %s (%s)', (id, reason) => {
      expect(() => fn.birthDate(id, 'yyyyMMdd')).toThrow(
        `$birthDate: not a valid resident ID number (${reason}`,
      );
      expect(() => fn.gender(id)).toThrow(`$gender: not a valid resident ID number (${reason}`);
    });
  });

  describe('$yuanToFen / $fenToYuan are exact', () => {
    it.each([
      ['4.35', 435], // binary floating point: 4.35 * 100 = 434.99999999999994
      ['1.1', 110],
      ['0.07', 7],
      ['1234.35', 123435],
      ['100', 10000],
      ['0', 0],
      ['-4.35', -435],
      ['9999999999999.99', 999999999999999],
      [4.35, 435],
      [0.1 + 0.2, 30], // 0.30000000000000004: float noise, not a third decimal
      [1.15 * 100, 11500],
      [19.99, 1999],
    ])('$yuanToFen(%p) = %p', (yuan, fen) => {
      expect(yuanToFen(yuan)).toBe(fen);
    });

    it('adds up in fen without drift', () => {
      expect((yuanToFen('0.1') ?? 0) + (yuanToFen('0.2') ?? 0)).toBe(yuanToFen('0.3'));
    });

    it.each([['100.005'], ['1.2.3'], ['abc'], ['1e3'], [1.005], [Infinity], [true]])('refuses %p', (yuan) => {
      expect(() => yuanToFen(yuan)).toThrow('$yuanToFen');
    });

    it.each([
      [435, '4.35'],
      [30, '0.30'],
      [-5, '-0.05'],
      ['123435', '1234.35'],
      [0, '0.00'],
    ])('$fenToYuan(%p) = %p', (fen, yuan) => {
      expect(fenToYuan(fen)).toBe(yuan);
    });

    it.each([[4.5], ['4.35'], [Number.MAX_SAFE_INTEGER + 2]])('$fenToYuan refuses %p', (fen) => {
      expect(() => fenToYuan(fen)).toThrow('not a whole number of fen');
    });
  });

  describe('$formatDate in a time zone', () => {
    it.each([
      // UTC evening is already the next day in Shanghai.
      ['2026-11-19T16:30:05Z', 'yyyy-MM-dd HH:mm:ss', undefined, '2026-11-20 00:30:05'],
      ['2026-11-19T16:30:05Z', 'yyyyMMdd', undefined, '20261120'],
      ['2026-11-19T15:59:59Z', 'yyyyMMdd', undefined, '20261119'],
      // Shanghai just after midnight is still the day before in UTC.
      ['2026-11-20T00:30:00+08:00', 'yyyy-MM-dd HH:mm:ss', 'UTC', '2026-11-19 16:30:00'],
      ['2026-11-20T00:30:00+08:00', "yyyy-MM-dd'T'HH:mm:ssZZ", undefined, '2026-11-20T00:30:00+08:00'],
      [
        '2026-12-31T23:59:59.999-05:00',
        "yyyy-MM-dd'T'HH:mm:ss.SSSZZ",
        undefined,
        '2027-01-01T12:59:59.999+08:00',
      ],
      // New York changes offset; Shanghai has not since 1991.
      ['2026-07-01T12:00:00Z', 'HH:mm ZZZ', 'America/New_York', '08:00 -0400'],
      ['2026-12-01T12:00:00Z', 'HH:mm ZZZ', 'America/New_York', '07:00 -0500'],
      ['1990-07-01T12:00:00Z', 'HH:mm ZZ', undefined, '21:00 +09:00'],
      // A calendar date stays that date in every zone.
      ['2026-10-31', 'yyyyMMdd', undefined, '20261031'],
      ['2026-10-31', 'yyyyMMdd', 'America/Los_Angeles', '20261031'],
      // Tokens luxon knows and the fast formatter does not.
      ['2026-11-20T09:30:00+08:00', 'MMM d, yyyy', undefined, 'Nov 20, 2026'],
      // No offset: read in the zone.
      ['2026-11-20T09:30:00', 'yyyy-MM-dd HH:mm', 'UTC', '2026-11-20 09:30'],
    ])('%s as %s in %s → %s', (value, format, zone, expected) => {
      expect(formatDate(value, format, zone)).toBe(expected);
    });

    it('takes Date objects and epoch milliseconds', () => {
      expect(formatDate(new Date('2026-11-19T16:30:00Z'), 'yyyyMMdd HH:mm')).toBe('20261120 00:30');
      expect(formatDate(Date.UTC(2026, 10, 19, 16, 30), 'yyyyMMdd HH:mm')).toBe('20261120 00:30');
    });

    it.each([['2026-02-30'], ['2026-02-30T10:00:00+08:00'], ['yesterday']])('refuses %s', (value) => {
      expect(() => formatDate(value, 'yyyyMMdd')).toThrow();
    });

    it('refuses an unknown zone', () => {
      expect(() => formatDate('2026-10-31', 'yyyyMMdd', 'Mars/Olympus')).toThrow(
        'unknown time zone "Mars/Olympus"',
      );
    });
  });

  describe('$parseDate → ISO 8601 with offset', () => {
    it.each([
      ['2026-11-25 16:40:00', undefined, undefined, '2026-11-25T16:40:00+08:00'],
      ['2026-11-25 16:40:00', 'yyyy-MM-dd HH:mm:ss', 'UTC', '2026-11-25T16:40:00+00:00'],
      ['20261125164000', undefined, undefined, '2026-11-25T16:40:00+08:00'],
      ['2026/11/25 16:40:00', undefined, undefined, '2026-11-25T16:40:00+08:00'],
      ['20261125', undefined, undefined, '2026-11-25T00:00:00+08:00'],
      ['2026-11-25T08:40:00Z', undefined, undefined, '2026-11-25T16:40:00+08:00'],
      ['2026-11-25T08:40:00.123Z', undefined, undefined, '2026-11-25T16:40:00+08:00'],
      ['25.11.2026 16:40', 'dd.MM.yyyy HH:mm', undefined, '2026-11-25T16:40:00+08:00'],
      ['2026-07-01 12:00:00', undefined, 'America/New_York', '2026-07-01T12:00:00-04:00'],
    ])('%s (%s, %s) → %s', (value, format, zone, expected) => {
      expect(parseDate(value, format, zone)).toBe(expected);
    });

    it.each([['tomorrow'], ['2026-02-30 10:00:00'], ['2026-11-25 25:00:00']])('refuses %s', (value) => {
      expect(() => parseDate(value)).toThrow('is not a date-time');
    });
  });

  describe('$regionName', () => {
    it.each([
      // A municipality: no city level between 北京市 and 朝阳区.
      ['110105', 'full', '北京市朝阳区'],
      ['110105', 'province', '北京市'],
      ['110105', 'city', undefined],
      ['110105001001', 'full', '北京市朝阳区建外街道'],
      ['510104', 'full', '四川省成都市锦江区'],
      ['510104', 'city', '成都市'],
      ['510104', 'county', '锦江区'],
      ['510104017003', 'street', '锦官驿街道'],
      ['999999', 'full', undefined],
    ])('%s %s → %s', (code, level, name) => {
      expect(fn.regionName(code, level)).toBe(name);
    });

    it('defaults to the full name and refuses unknown levels', () => {
      expect(fn.regionName('510104')).toBe('四川省成都市锦江区');
      expect(() => fn.regionName('510104', 'village')).toThrow('level must be one of');
    });
  });

  describe('$mask and $pad', () => {
    it.each([
      ['510104198503122315', 'idNumber', '5101**********2315'],
      ['13812345678', 'phone', '138****5678'],
      ['阿依古丽·买买提', 'name', '阿******'],
      ['call 13812345678', 'text', 'call 138****5678'],
    ])('$mask(%s, %s) = %s', (value, kind, masked) => {
      expect(fn.mask(value, kind)).toBe(masked);
    });

    it.each([
      ['42', 6, '0', 'left', '000042'],
      ['AB', 4, undefined, undefined, 'AB  '],
      ['𠮷', 3, '*', 'right', '𠮷**'], // one character, not two UTF-16 units
      [7, 3, '0', 'left', '007'],
      ['ABC', 3, ' ', 'left', 'ABC'],
    ])('$pad(%p, %p, %p, %p) = %p', (value, width, char, side, padded) => {
      expect(fn.pad(value, width, char, side)).toBe(padded);
    });

    it('never cuts a value longer than the width', () => {
      expect(() => fn.pad('ABCD', 3, ' ', 'right')).toThrow(
        'is 4 characters long, wider than the pad width 3',
      );
    });
  });
});
