import * as iconv from 'iconv-lite';
import { join } from 'node:path';
import { ProblemException } from '../../src/common/problem/problem';
import { loadConfig } from '../../src/config/config-loader';
import type { ApiClient } from '../../src/gateway/auth/api-client';
import { CaseValidator } from '../../src/gateway/intake/case-validator';
import { IntakeProfileRegistry } from '../../src/mappings/intake/intake-profile';
import { intakeVectors } from '../../src/mappings/vector-runner';
import { RegionTable } from '../../src/regions/region-table';

const CONFIG = join(__dirname, '../../config');
const regions = RegionTable.load();
const intake = IntakeProfileRegistry.load(CONFIG, regions);

const XML = `<?xml version="1.0" encoding="GBK"?>
<SQXX>
  <YWLSH>CXL20261120000900</YWLSH><SXBM>510104000401</SXBM><XZQHDM>510104017003</XZQHDM>
  <SQR><XM>王五</XM><ZJLX>111</ZJLX><ZJHM>510104197909054135</ZJHM><LXDH>13800138000</LXDH></SQR>
  <SLSJ>2026-11-20 09:00:00</SLSJ><SLRBH>op-0042</SLRBH><SLCKBH>JJ-CXL-01</SLCKBH><SLFS>01</SLFS>
  <BDXX>
    <BDX><DM>disabilityCertNo</DM><LX>S</LX><Z>51010419790905413541</Z></BDX>
    <BDX><DM>disabilityCategory</DM><LX>S</LX><Z>PHYSICAL</Z></BDX>
    <BDX><DM>disabilityLevel</DM><LX>N</LX><Z>1</Z></BDX>
    <BDX><DM>subsidyType</DM><LX>S</LX><Z>BOTH</Z></BDX>
  </BDXX>
</SQXX>`;

describe('intake profile legacy-window-xml', () => {
  for (const vector of intakeVectors(intake, 'legacy-window-xml')) {
    it(`vector › ${vector.name}`, async () => {
      expect((await vector.run()).problems).toEqual([]);
    });
  }

  it('reads real GBK bytes (not UTF-8) by the prolog', async () => {
    const body = iconv.encode(XML, 'gbk');
    expect(body.includes(Buffer.from('王五', 'utf8'))).toBe(false);
    const result = await intake.normalize('legacy-window-xml', body, 'application/xml');
    expect(result).toMatchObject({
      ok: true,
      message: {
        serviceCode: 'DPF-SUBSIDY',
        applicant: { name: '王五', idType: 'RESIDENT_ID' },
        acceptedAt: '2026-11-20T09:00:00+08:00',
        form: {
          disabilityCertNo: '51010419790905413541',
          disabilityCategory: 'PHYSICAL',
          disabilityLevel: 1,
          subsidyType: 'BOTH',
        },
      },
    });
  });

  it('produces cases the gateway accepts as submissions', async () => {
    const validator = new CaseValidator(loadConfig(CONFIG, { env: {}, regions }), regions);
    const client: ApiClient = {
      name: 'legacy-window',
      source: 'legacy-window',
      scopes: new Set(['cases:write']),
    };
    const bodies = [
      iconv.encode(XML, 'gbk'),
      ...intake
        .definition('legacy-window-xml')
        .examples.filter((e) => e.expect !== undefined)
        .map((e) => e.bodyBytes ?? iconv.encode(e.body ?? '', e.bodyEncoding ?? 'utf-8')),
    ];
    for (const body of bodies) {
      const result = await intake.normalize('legacy-window-xml', body, 'application/xml');
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      const acceptedAt = (result.message as { acceptedAt: string }).acceptedAt;
      try {
        const { document } = validator.validate(
          result.message,
          client,
          new Date(Date.parse(acceptedAt) + 60_000),
        );
        expect(document.source).toBe('legacy-window');
      } catch (error) {
        if (error instanceof ProblemException) throw new Error(JSON.stringify(error.problem.errors));
        throw error;
      }
    }
  });

  it('says which body problem it met: bytes that are not the declared GBK', async () => {
    const body = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="GBK"?><SQXX><XM>'),
      Buffer.from([0x81, 0x20]),
      Buffer.from('</XM></SQXX>'),
    ]);
    expect(await intake.normalize('legacy-window-xml', body, 'application/xml')).toEqual({
      ok: false,
      errors: [{ field: 'body', reason: 'the body is not valid GBK', code: 'INPUT' }],
    });
  });

  it('refuses GBK bytes sent without a declaration (read as UTF-8)', async () => {
    const body = iconv.encode(XML.replace(' encoding="GBK"', ''), 'gbk');
    expect(await intake.normalize('legacy-window-xml', body, 'application/xml')).toMatchObject({
      ok: false,
      errors: [{ field: 'body', reason: expect.stringContaining('not valid UTF-8') }],
    });
  });
});
