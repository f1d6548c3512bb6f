import * as iconv from 'iconv-lite';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodePayload } from '../../src/mappings/intake/payload-decoder';
import { IntakeProfileRegistry } from '../../src/mappings/intake/intake-profile';
import { MappingConfigError } from '../../src/mappings/mapping-config-error';
import { RegionTable } from '../../src/regions/region-table';

const regions = RegionTable.load();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function config(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-intake-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('intake payload decoding', () => {
  it.each([
    [
      'an external entity (XXE)',
      '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    ],
    [
      'entity expansion (billion laughs)',
      '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
    ],
    ['a bare DOCTYPE', '<!doctype html><a/>'],
  ])('refuses %s without expanding anything', (_name, xml) => {
    expect(decodePayload(Buffer.from(xml), 'application/xml', 'xml')).toEqual({
      ok: false,
      reason: 'XML with a DOCTYPE or entity declarations is not accepted',
    });
  });

  it('decodes the five XML entities and character references, keeps leading zeros and text', () => {
    const xml = '<a v="1&amp;2"><b>&lt;&amp;&gt;&quot;&apos;</b><c>007</c><d>&#x4E2D;&#25991;</d><e/></a>';
    expect(decodePayload(Buffer.from(xml), 'text/xml', 'xml')).toEqual({
      ok: true,
      value: { a: { '@v': '1&2', b: `<&>"'`, c: '007', d: '中文', e: '' } },
    });
  });

  it.each([
    ['not well-formed', Buffer.from('<a><b></a>'), 'application/xml', 'not well-formed XML'],
    [
      'a JSON body for an XML profile',
      Buffer.from('{}'),
      'application/json',
      'content type application/json is not XML',
    ],
    [
      'an unsupported encoding',
      Buffer.from('<?xml version="1.0" encoding="EBCDIC"?><a/>'),
      'application/xml',
      'encoding EBCDIC is not supported',
    ],
  ])('refuses %s', (_name, body, contentType, reason) => {
    expect(decodePayload(body, contentType, 'xml')).toEqual({
      ok: false,
      reason: expect.stringContaining(reason),
    });
  });

  it('takes the encoding from the prolog, else the charset, else UTF-8; a BOM wins', () => {
    const text = '<a>张三</a>';
    expect(
      decodePayload(
        iconv.encode(`<?xml version="1.0" encoding="gb18030"?>${text}`, 'gb18030'),
        undefined,
        'xml',
      ),
    ).toEqual({
      ok: true,
      value: { a: '张三' },
    });
    expect(decodePayload(iconv.encode(text, 'gbk'), 'application/xml; charset=GBK', 'xml')).toEqual({
      ok: true,
      value: { a: '张三' },
    });
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`<?xml version="1.0" encoding="GBK"?>${text}`),
    ]);
    expect(decodePayload(bom, 'application/xml', 'xml')).toEqual({ ok: true, value: { a: '张三' } });
  });

  it('reads JSON in its charset and names JSON syntax errors', () => {
    expect(
      decodePayload(iconv.encode('{"xm":"张三"}', 'gbk'), 'application/json; charset=gbk', 'json'),
    ).toEqual({
      ok: true,
      value: { xm: '张三' },
    });
    expect(decodePayload(Buffer.from('{"xm":'), 'application/json', 'json')).toEqual({
      ok: false,
      reason: expect.stringContaining('not valid JSON'),
    });
  });
});

describe('intake profiles', () => {
  const JSON_PROFILE = `id: app-json
format: json
fields:
  externalId: orderNo
  serviceCode: "'HRSS-UNEMP-REG'"
  region: { code: area }
  applicant:
    name: person.name
    idType: "'RESIDENT_ID'"
    idNumber: person.id
  acceptedAt: $parseDate(time)
  acceptedBy: { operatorId: "'app'", stationId: "'APP'", channel: "'MOBILE'" }
  form: { expr: extra, required: false }
`;

  it('maps a JSON source into a canonical case', async () => {
    const intake = IntakeProfileRegistry.load(config({ 'intake/app-json.yaml': JSON_PROFILE }), regions);
    const body = Buffer.from(
      JSON.stringify({
        orderNo: 'A-1',
        area: '510104017003',
        person: { name: '张三', id: '510104198503122315' },
        time: '2026-11-20T01:00:00Z',
      }),
    );
    expect(await intake.normalize('app-json', body, 'application/json')).toEqual({
      ok: true,
      message: {
        externalId: 'A-1',
        serviceCode: 'HRSS-UNEMP-REG',
        region: { code: '510104017003' },
        applicant: { name: '张三', idType: 'RESIDENT_ID', idNumber: '510104198503122315' },
        acceptedAt: '2026-11-20T09:00:00+08:00',
        acceptedBy: { operatorId: 'app', stationId: 'APP', channel: 'MOBILE' },
      },
    });
    await expect(intake.normalize('nope', body, 'application/json')).rejects.toThrow(
      'no intake profile with id nope',
    );
  });

  it('says when the root element is missing', async () => {
    const intake = IntakeProfileRegistry.load(
      config({ 'intake/x.yaml': 'id: x\nformat: xml\nroot: SQXX\nfields:\n  externalId: YWLSH\n' }),
      regions,
    );
    expect(await intake.normalize('x', Buffer.from('<OTHER/>'), 'application/xml')).toEqual({
      ok: false,
      errors: [{ field: 'body', reason: 'the payload has no SQXX element', code: 'INPUT' }],
    });
  });

  it('checks at start-up that a profile fills canonical fields only', () => {
    const dir = config({
      'intake/x.yaml':
        'id: x\nformat: xml\nfields:\n  externalId: A\n  applicant:\n    fullName: B\n  fax: C\n',
    });
    let error: unknown;
    try {
      IntakeProfileRegistry.load(dir, regions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MappingConfigError);
    expect((error as MappingConfigError).mappingProblems).toEqual([
      {
        file: 'intake/x.yaml',
        field: 'fields.applicant.fullName',
        reason: expect.stringContaining('applicant has no field "fullName"'),
      },
      {
        file: 'intake/x.yaml',
        field: 'fields.fax',
        reason: expect.stringContaining('canonical case has no field "fax"'),
      },
    ]);
  });
});
