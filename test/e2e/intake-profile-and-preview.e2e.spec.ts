import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'iconv-lite';
import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import {
  ADMIN_KEY,
  EXAMPLE_CONFIG_DIR,
  PLATFORM_KEY,
  startTestGateway,
  type TestGateway,
} from '../support/test-gateway';

const GBK_XML = readFileSync(join(EXAMPLE_CONFIG_DIR, 'intake/examples/legacy-window-dpf-gbk.xml'));

describe('intake profiles and mapping preview', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { TONGBAN_ROLE: 'api' } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('accepts a legacy window platform GBK XML case, normalizes and stores it like POST /cases', async () => {
    const res = await call(gw.url, 'POST', '/api/v1/intake/legacy-window-xml', {
      key: PLATFORM_KEY,
      rawBody: GBK_XML,
      headers: { 'content-type': 'application/xml' },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      externalId: 'CXL20261121000007',
      status: 'SUBMITTED',
      deliveries: [{ department: 'DPF' }],
    });
    const detail = await call(gw.url, 'GET', `/api/v1/cases/${res.body.id}`, { key: PLATFORM_KEY });
    expect(detail.body.case).toMatchObject({
      serviceCode: 'DPF-SUBSIDY',
      applicant: { name: '李**', idType: 'RESIDENT_ID' },
    });
    const again = await call(gw.url, 'POST', '/api/v1/intake/legacy-window-xml', {
      key: PLATFORM_KEY,
      rawBody: GBK_XML,
      headers: { 'content-type': 'application/xml' },
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
  });

  it('rejects an XML body with a DOCTYPE, and a normalized case that fails validation, storing nothing', async () => {
    const before = Number((await gw.db.query('SELECT COUNT(*) AS n FROM cases'))[0].n);
    const xxe = encode(
      '<?xml version="1.0" encoding="GBK"?><!DOCTYPE SQXX [<!ENTITY x SYSTEM "file:///etc/passwd">]><SQXX><YWLSH>&x;</YWLSH></SQXX>',
      'gbk',
    );
    const hostile = await call(gw.url, 'POST', '/api/v1/intake/legacy-window-xml', {
      key: PLATFORM_KEY,
      rawBody: xxe,
      headers: { 'content-type': 'application/xml' },
    });
    expect(hostile.status).toBe(400);
    expect(JSON.stringify(hostile.body)).not.toContain('root:');
    const badId = Buffer.from(
      GBK_XML.toString('latin1').replace('11010519491231002X</ZJHM>', '110105194912310021</ZJHM>'),
      'latin1',
    );
    const invalid = await call(gw.url, 'POST', '/api/v1/intake/legacy-window-xml', {
      key: PLATFORM_KEY,
      rawBody: badId,
      headers: { 'content-type': 'application/xml' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ pointer: '/applicant/idNumber' })]),
    );
    expect(Number((await gw.db.query('SELECT COUNT(*) AS n FROM cases'))[0].n)).toBe(before);
    expect(
      (
        await call(gw.url, 'POST', '/api/v1/intake/no-such-profile', {
          key: PLATFORM_KEY,
          rawBody: GBK_XML,
          headers: { 'content-type': 'application/xml' },
        })
      ).status,
    ).toBe(404);
  });

  it('previews a mapping: the mapped message, or every mapping error', async () => {
    const ok = await call(gw.url, 'POST', '/api/v1/mappings/hrss-unemployment/preview', {
      key: ADMIN_KEY,
      body: sampleCase(),
    });
    expect(ok.status).toBe(200);
    expect(ok.body.message).toMatchObject({
      applicant: { xm: '张三', zjlx: '01', zjhm: '11010519491231002X', xb: '2', csrq: '19491231' },
    });
    // The SOAP envelope the adapter would POST, WS-Security header included, built without sending.
    expect(ok.body.rendered.text).toContain('Envelope');
    expect(ok.body.rendered.text).toContain('<xm>张三</xm>');
    expect(ok.body.rendered.text).toContain('UsernameToken');
    const dpf = await call(gw.url, 'POST', '/api/v1/mappings/dpf-subsidy/preview', {
      key: ADMIN_KEY,
      body: sampleCase({
        serviceCode: 'DPF-SUBSIDY',
        form: {
          disabilityCertNo: '11010519491231002X42',
          disabilityCategory: 'PHYSICAL',
          disabilityLevel: 2,
          subsidyType: 'BOTH',
        },
      }),
    });
    expect(dpf.status).toBe(200);
    expect(dpf.body.rendered.contentType).toBe('text/csv; charset=gbk');
    expect(dpf.body.rendered.text.split('\r\n')[0]).toBe(
      '流水号,姓名,证件号码,性别,出生日期,残疾证号,残疾类别,残疾等级,补贴类型,联系电话,行政区划,受理日期',
    );
    // 张 is D5 C5 in GBK: the file is encoded for the department, not UTF-8.
    expect(Buffer.from(dpf.body.rendered.base64, 'base64').includes(Buffer.from([0xd5, 0xc5]))).toBe(true);
    const passport = await call(gw.url, 'POST', '/api/v1/mappings/hrss-unemployment/preview', {
      key: ADMIN_KEY,
      body: sampleCase({ applicant: { name: 'Anne Li', idType: 'PASSPORT', idNumber: 'E12345678' } }),
    });
    expect(passport.status).toBe(422);
    expect(passport.body.errors.length).toBeGreaterThan(0);
    expect(
      (await call(gw.url, 'POST', '/api/v1/mappings/nope/preview', { key: ADMIN_KEY, body: sampleCase() }))
        .status,
    ).toBe(404);
    expect(
      (
        await call(gw.url, 'POST', '/api/v1/mappings/hrss-unemployment/preview', {
          key: PLATFORM_KEY,
          body: sampleCase(),
        })
      ).status,
    ).toBe(403);
  });
});
