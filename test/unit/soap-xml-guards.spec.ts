import * as iconv from 'iconv-lite';
import { decodeXml, detectCharset } from '../../src/adapters/soap/xml-charset';
import { findXmlHazard, looksLikeSoapEnvelope, startsLikeXml } from '../../src/adapters/soap/xml-safety';

describe('findXmlHazard', () => {
  const envelope = (inner: string) =>
    `<?xml version="1.0"?><s:Envelope xmlns:s="x"><s:Body>${inner}</s:Body></s:Envelope>`;

  it('passes an ordinary envelope with comments, CDATA, self-closing tags and quoted >', () => {
    const xml = envelope('<!-- a <b> --><r a="1 > 0" b=\'<\'><![CDATA[<<not tags>>]]><e/><f x="/"/></r>');
    expect(findXmlHazard(xml, 5)).toBeUndefined();
  });

  it.each([
    ['<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'],
    ['<?xml version="1.0"?>\n<!doctype x><x/>'],
    ['<x><!ENTITY e "boom"></x>'],
  ])('refuses markup declarations: %s', (xml) => {
    expect(findXmlHazard(xml, 200)).toMatch(/DOCTYPE/);
  });

  it('counts depth exactly: maxDepth levels pass, one more is refused', () => {
    const nest = (depth: number) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;
    expect(findXmlHazard(nest(10), 10)).toBeUndefined();
    expect(findXmlHazard(nest(11), 10)).toMatch(/nesting exceeds 10/);
  });

  it('handles 20,000 levels without recursion, quickly', () => {
    const xml = `${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}`;
    const started = Date.now();
    expect(findXmlHazard(xml, 200)).toMatch(/nesting/);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('leaves truncated input to the parser', () => {
    expect(findXmlHazard('<a><b attr="unterminated', 10)).toBeUndefined();
  });

  it('recognises envelopes and XML starts', () => {
    expect(looksLikeSoapEnvelope(envelope(''))).toBe(true);
    expect(looksLikeSoapEnvelope('<html><body>502</body></html>')).toBe(false);
    expect(startsLikeXml('  \n<x/>')).toBe(true);
    expect(startsLikeXml('Service Unavailable')).toBe(false);
  });
});

describe('decodeXml', () => {
  const text = '<?xml version="1.0" encoding="GBK"?><x>朱镕基 王堃</x>';

  it('decodes by the XML prolog even when the header says UTF-8', () => {
    const bytes = iconv.encode(text, 'gbk');
    expect(detectCharset(bytes, 'text/xml; charset=UTF-8')).toBe('GBK');
    expect(decodeXml(bytes, 'text/xml; charset=UTF-8')).toEqual({ ok: true, text, charset: 'GBK' });
  });

  it('falls back to the Content-Type charset, then UTF-8', () => {
    const bare = '<x>堃</x>';
    expect(decodeXml(iconv.encode(bare, 'gb18030'), 'text/xml; charset="GB18030"')).toMatchObject({
      text: bare,
    });
    expect(decodeXml(Buffer.from(bare), undefined)).toMatchObject({ text: bare, charset: 'utf-8' });
  });

  it('honours an override and strips a UTF-8 BOM', () => {
    const lying = iconv.encode('<?xml version="1.0" encoding="UTF-8"?><x>镕</x>', 'gbk');
    expect(decodeXml(lying, 'text/xml; charset=utf-8', 'GBK')).toMatchObject({
      text: expect.stringContaining('镕'),
    });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<x/>')]);
    expect(decodeXml(bom, undefined)).toMatchObject({ text: '<x/>' });
  });

  it('reports an unknown charset instead of throwing', () => {
    expect(decodeXml(Buffer.from('<?xml version="1.0" encoding="X-NOPE"?><x/>'), undefined)).toEqual({
      ok: false,
      reason: 'unsupported response charset X-NOPE',
    });
  });
});
