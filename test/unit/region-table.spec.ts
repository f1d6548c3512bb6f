import { RegionTable } from '../../src/regions/region-table';

describe('RegionTable', () => {
  const table = RegionTable.load();

  it('loads once and returns the same table', () => {
    expect(RegionTable.load()).toBe(table);
  });

  describe('checkCommunityCode', () => {
    it.each([
      // 北京朝阳区 建外街道
      ['110105001001', '110105'],
      // 广州天河区 五山街道
      ['440106001002', '440106'],
      // 东莞市: a prefecture city without counties, whose city code stands in at county level
      ['441900003001', '441900'],
      // 济源市, a county-level city governed directly by 河南
      ['419001001001', '419001'],
    ])('accepts %s with a known street', (code, countyCode) => {
      expect(table.checkCommunityCode(code)).toEqual({ ok: true, countyCode, streetKnown: true, flags: [] });
    });

    it('accepts a known county with an unknown street, flagged', () => {
      expect(table.checkCommunityCode('110105999001')).toEqual({
        ok: true,
        countyCode: '110105',
        streetKnown: false,
        flags: ['REGION_STREET_UNKNOWN'],
      });
    });

    it('returns a fresh flags array each time', () => {
      const first = table.checkCommunityCode('110105999001');
      if (first.ok) first.flags.push('CALLER_FLAG');
      expect(table.checkCommunityCode('110105999001')).toMatchObject({ flags: ['REGION_STREET_UNKNOWN'] });
    });

    it.each([
      ['999999001001', 'county code 999999 is not a known county (GB/T 2260)'],
      // 杭州下城区, abolished in 2021: live community codes must use current counties
      ['330103001001', 'county code 330103 is not a known county (GB/T 2260)'],
      // A city code padded with zeros is not a county
      ['110100001001', 'county code 110100 is not a known county (GB/T 2260)'],
    ])('rejects unknown county in %s', (code, reason) => {
      expect(table.checkCommunityCode(code)).toEqual({ ok: false, reason });
    });

    it.each([
      '',
      '11010500100',
      '1101050010011',
      '11010500100A',
      ' 110105001001',
      '１１０１０５００１００１',
    ])('rejects %p as not 12 digits', (code) => {
      expect(table.checkCommunityCode(code)).toEqual({
        ok: false,
        reason: 'community code must be exactly 12 digits',
      });
    });
  });

  describe('describe', () => {
    it.each([
      // Municipality: the 1101 row is the placeholder 市辖区, so no city is given.
      ['110105001001', { province: '北京市', county: '朝阳区', street: '建外街道' }],
      ['110105', { province: '北京市', county: '朝阳区' }],
      // 重庆's counties sit under the placeholder row 5002 "县".
      ['500229', { province: '重庆市', county: '城口县' }],
      ['440106001002', { province: '广东省', city: '广州市', county: '天河区', street: '五山街道' }],
      ['4401', { province: '广东省', city: '广州市' }],
      ['419001', { province: '河南省', county: '济源市' }],
      // Unknown street: the known levels are still named.
      ['110105999001', { province: '北京市', county: '朝阳区' }],
      ['999999001001', {}],
      ['', {}],
    ])('%p', (code, names) => {
      expect(table.describe(code)).toEqual(names);
    });
  });

  describe('isKnownCountyPrefix', () => {
    it.each([
      ['11', true],
      ['44', true],
      ['99', false],
      ['4401', true],
      ['4499', false],
      ['440106', true],
      ['440199', false],
      ['440106001', true],
      ['440106999', false],
      ['4', false],
      ['44010', false],
      ['440106001002', false],
      ['', false],
    ])('%p -> %p', (prefix, known) => {
      expect(table.isKnownCountyPrefix(prefix)).toBe(known);
    });
  });
});
