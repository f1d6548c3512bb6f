import { checkResidentIdNumber, residentIdCheckDigit } from '../../src/gateway/validation/resident-id';

const NOW = new Date('2024-06-15T04:00:00Z');

/** Builds a valid number from its parts, using the function under test for the check character. */
function idFor(region: string, birth: string, sequence: string): string {
  const first17 = region + birth + sequence;
  return first17 + residentIdCheckDigit(first17);
}

describe('checkResidentIdNumber', () => {
  // Worked by hand: weights 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2; check chars by (sum mod 11) "10X98765432".
  it.each([
    // GB 11643-1999 example: 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 -> X
    ['11010519491231002X', '11010519491231002X', '1949-12-31', 'F'],
    // Leap day 2000 (divisible by 400): 28+36+0+15+0+20+4+0+0+0+0+18+20+45+0+0+2 = 188; mod 11 = 1 -> 0
    ['440305200002290010', '440305200002290010', '2000-02-29', 'M'],
    // 35+9+0+5+0+16+2+9+42+0+0+9+0+5+8+8+6 = 154; mod 11 = 0 -> 1
    ['510104197001011231', '510104197001011231', '1970-01-01', 'M'],
    // 7+9+0+5+0+4+2+9+54+0+0+27+0+35+32+16+14 = 214; mod 11 = 5 -> 7
    ['110101199003074477', '110101199003074477', '1990-03-07', 'M'],
    // 21+9+0+5+0+16+2+9+48+15+0+72+10+25+0+0+4 = 236; mod 11 = 5 -> 7
    ['310104198508150027', '310104198508150027', '1985-08-15', 'F'],
    // Lowercase x is accepted and normalized.
    ['11010519491231002x', '11010519491231002X', '1949-12-31', 'F'],
  ])('accepts literal %s', (input, normalized, birthDate, gender) => {
    expect(checkResidentIdNumber(input, NOW)).toEqual({ ok: true, normalized, birthDate, gender });
  });

  it.each([
    ['110105', '19491231', '002', '1949-12-31', 'F'],
    ['310115', '20240229', '011', '2024-02-29', 'M'],
    ['650102', '19000101', '999', '1900-01-01', 'M'],
    ['370202', '19851120', '428', '1985-11-20', 'F'],
    // Region codes are not checked: 330103 (杭州下城区) was abolished in 2021 but its IDs live on.
    ['330103', '19751010', '315', '1975-10-10', 'M'],
    // Born "today" in China (2024-06-15 12:00 UTC+8).
    ['440106', '20240615', '006', '2024-06-15', 'F'],
  ])('accepts generated %s %s %s', (region, birth, sequence, birthDate, gender) => {
    const id = idFor(region, birth, sequence);
    expect(checkResidentIdNumber(id, NOW)).toEqual({ ok: true, normalized: id, birthDate, gender });
  });

  it('finds generated numbers whose check character is X', () => {
    let found = 0;
    for (let sequence = 0; sequence < 100; sequence++) {
      const first17 = '32010619880808' + String(sequence).padStart(3, '0');
      if (residentIdCheckDigit(first17) !== 'X') continue;
      found++;
      expect(checkResidentIdNumber(first17 + 'X', NOW)).toMatchObject({
        ok: true,
        normalized: first17 + 'X',
      });
      expect(checkResidentIdNumber(first17 + 'x', NOW)).toMatchObject({
        ok: true,
        normalized: first17 + 'X',
      });
    }
    expect(found).toBeGreaterThan(0);
  });

  it.each([
    ['wrong check digit', '110101199003074478', 'check digit is wrong: expected 7'],
    ['X where a digit is due', '11010119900307447X', 'check digit is wrong: expected 7'],
    ['digit where X is due', '110105194912310021', 'check digit is wrong: expected X'],
    ['30 February', idFor('110101', '19900230', '123'), 'birth date 19900230 is not a real date'],
    [
      '29 February in a common year',
      idFor('110101', '20230229', '123'),
      'birth date 20230229 is not a real date',
    ],
    [
      '29 February 1900 (not a leap year)',
      idFor('110101', '19000229', '123'),
      'birth date 19000229 is not a real date',
    ],
    ['month 13', idFor('110101', '19901301', '123'), 'birth date 19901301 is not a real date'],
    ['month 00', idFor('110101', '19900001', '123'), 'birth date 19900001 is not a real date'],
    ['day 00', idFor('110101', '19900100', '123'), 'birth date 19900100 is not a real date'],
    ['31 April', idFor('110101', '19900431', '123'), 'birth date 19900431 is not a real date'],
    [
      'before 1900 (GB 11643 example 440524188001010014)',
      '440524188001010014',
      'birth date 18800101 is before 1900',
    ],
    ['tomorrow in China', idFor('110101', '20240616', '123'), 'birth date 20240616 is in the future'],
    ['far future', idFor('110101', '20991231', '123'), 'birth date 20991231 is in the future'],
    ['17 characters', '11010519491231002', 'must be 18 characters long, got 17'],
    ['19 characters', '11010519491231002X1', 'must be 18 characters long, got 19'],
    ['15-digit first-generation number', '110105491231002', 'must be 18 characters long, got 15'],
    ['empty', '', 'must be 18 characters long, got 0'],
    ['letters', '1101051949123100AX', 'must be 17 digits followed by a digit or X'],
    ['X in the middle', '110105194912X10021', 'must be 17 digits followed by a digit or X'],
    ['other check letter', '11010519491231002Y', 'must be 17 digits followed by a digit or X'],
    [
      'full-width digits',
      '１１０１０５１９４９１２３１００２X',
      'must be 17 digits followed by a digit or X',
    ],
    ['surrounding spaces', ' 11010519491231002X', 'must be 18 characters long, got 19'],
  ])('rejects %s', (_case, input, reason) => {
    expect(checkResidentIdNumber(input, NOW)).toEqual({ ok: false, reason });
  });

  it('judges "future" by the date in China, not the server time zone', () => {
    const id = idFor('110101', '20240310', '123');
    // 2024-03-09 17:00 UTC is already 2024-03-10 01:00 in Beijing.
    expect(checkResidentIdNumber(id, new Date('2024-03-09T17:00:00Z')).ok).toBe(true);
    expect(checkResidentIdNumber(id, new Date('2024-03-09T15:59:59Z'))).toEqual({
      ok: false,
      reason: 'birth date 20240310 is in the future',
    });
  });

  it('defaults "now" to the current time', () => {
    expect(checkResidentIdNumber('11010519491231002X').ok).toBe(true);
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    expect(checkResidentIdNumber(idFor('110101', tomorrow, '123'))).toEqual({
      ok: false,
      reason: `birth date ${tomorrow} is in the future`,
    });
  });

  it('throws on an invalid "now" instead of accepting every date', () => {
    expect(() => checkResidentIdNumber('11010519491231002X', new Date('not a date'))).toThrow(RangeError);
  });

  it('takes gender from the 17th digit', () => {
    expect(checkResidentIdNumber(idFor('110101', '19900101', '001'), NOW)).toMatchObject({ gender: 'M' });
    expect(checkResidentIdNumber(idFor('110101', '19900101', '010'), NOW)).toMatchObject({ gender: 'F' });
  });
});

describe('residentIdCheckDigit', () => {
  it.each([
    ['11010519491231002', 'X'],
    ['44030520000229001', '0'],
    ['51010419700101123', '1'],
    ['31010419850815002', '7'],
  ])('%s -> %s', (first17, expected) => {
    expect(residentIdCheckDigit(first17)).toBe(expected);
  });

  it.each(['1101051949123100', '110105194912310021', '1101051949123100A', ''])('throws for %p', (input) => {
    expect(() => residentIdCheckDigit(input)).toThrow(RangeError);
  });
});
