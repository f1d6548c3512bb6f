import { lookup } from 'node:dns';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { WSSecurity, passwordDigest } from 'soap';
import { SoapCall, SOAP_CALL_OPTION } from '../../src/adapters/soap/soap-call';
import { loadSoapClient, type LoadedSoapClient } from '../../src/adapters/soap/soap-client-loader';
import { SoapFastPath } from '../../src/adapters/soap/soap-fast-path';
import { SoapHttpTransport } from '../../src/adapters/soap/soap-http-transport';
import { UsernameTokenHeader } from '../../src/adapters/soap/username-token';
import { escapeXmlText } from '../../src/adapters/soap/xml-escape';
import { CONFIG_DIR, hrssMessage, soapOptions } from '../fixtures/soap/soap-test-kit';

// node-soap's own escaping, the reference for ours.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { xmlEscape } = require('soap/lib/utils') as { xmlEscape: (value: string) => string };

const TRICKY = [
  '',
  'plain',
  '张三 𠮷 阿依古丽·买买提',
  `a & b < c > d " e ' f`,
  'tab\there\r\nnew line',
  '<![CDATA[<kept as is>]]>',
  '<![CDATA[ only the start',
  '&amp; already escaped',
  ']]>',
  '\uE000 0 \uE001 private use',
];

/** Every WSDL shipped under config/wsdl, as paths relative to the config directory. */
function demoWsdls(dir = join(CONFIG_DIR, 'wsdl')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return demoWsdls(path);
    return name.endsWith('.wsdl') ? [relative(CONFIG_DIR, path)] : [];
  });
}

const SECURITY = /<wsse:Security [\s\S]*?<\/wsse:Security>/;

function transport(): SoapHttpTransport {
  return new SoapHttpTransport({
    egress: { assertAllowed: async () => undefined, lookup },
    maxResponseBytes: 1024 * 1024,
    maxDepth: 200,
    maxSockets: 4,
    idleSocketTimeoutMs: 1000,
    allowRemoteWsdl: false,
  });
}

/** node-soap's own envelope and headers for a message (a dry run of the department's client). */
function nodeSoapRequest(loaded: LoadedSoapClient, operation: string, message: object) {
  const call = new SoapCall(new AbortController().signal);
  call.dryRun = true;
  loaded.methods[operation](message, () => undefined, { [SOAP_CALL_OPTION]: call });
  return { envelope: call.sent!.toString('utf8'), headers: call.headers };
}

describe('SOAP fast path: escaping and the WS-Security header', () => {
  it('escapes element text exactly like node-soap', () => {
    for (const value of TRICKY) expect(escapeXmlText(value)).toBe(xmlEscape(value));
  });

  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['PasswordDigest', true, false],
    ['PasswordDigest', false, true],
    ['PasswordText', true, true],
    ['PasswordText', false, false],
  ] as const)(
    'writes the UsernameToken like WSSecurity (%s, timestamp %s, mustUnderstand %s)',
    (passwordType, timestamp, mustUnderstand) => {
      const now = new Date('2026-11-22T07:33:43.512Z');
      jest.useFakeTimers({ now });
      try {
        const credentials = { username: 'tong<ban>', password: 'p&ss"word' };
        const ours = new UsernameTokenHeader({
          type: 'usernameToken',
          ...credentials,
          passwordType,
          timestamp,
          mustUnderstand,
        });
        const theirs = new WSSecurity(credentials.username, credentials.password, {
          passwordType,
          hasTimeStamp: timestamp,
          mustUnderstand,
        });
        const mine = ours.toXML();
        const reference = theirs.toXML();
        // Nonce and digest are random: equal once both are blanked, and our digest checks out.
        const blank = (xml: string) =>
          xml.replace(/(#PasswordDigest">)[^<]+/, '$1D').replace(/(#Base64Binary">)[^<]+/, '$1N');
        expect(blank(mine)).toBe(blank(reference));
        if (passwordType === 'PasswordDigest') {
          const nonce = /#Base64Binary">([^<]+)/.exec(mine)![1];
          const digest = /#PasswordDigest">([^<]+)/.exec(mine)![1];
          expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
          expect(digest).toBe(passwordDigest(nonce, '2026-11-22T07:33:43Z', credentials.password));
        }
      } finally {
        jest.useRealTimers();
      }
    },
  );

  it('never reuses a nonce', () => {
    const token = new UsernameTokenHeader({
      type: 'usernameToken',
      username: 'u',
      password: 'p',
      passwordType: 'PasswordDigest',
      timestamp: true,
      mustUnderstand: false,
    });
    const nonces = new Set(
      Array.from({ length: 1000 }, () => /#Base64Binary">([^<]+)/.exec(token.toXML())![1]),
    );
    expect(nonces.size).toBe(1000);
  });
});

describe.each(demoWsdls())('SOAP fast path: envelopes of %s equal node-soap’s', (wsdl) => {
  const variants = [
    { soapVersion: '1.1', port: undefined, security: 'usernameToken' },
    { soapVersion: '1.2', port: 'UnemploymentPort12', security: 'usernameToken' },
    { soapVersion: '1.1', port: undefined, security: 'none' },
  ] as const;
  const messages: Record<string, object> = {
    'the mapped HRSS message': { requestId: 'r-1', ...hrssMessage() },
    'keys out of WSDL order, optional lxdh missing': {
      registration: {
        slqd: '1',
        slsj: '2026-11-01 09:30:00',
        xzqh: '510104017003',
        yhdw: 'x',
        syyy: '11',
        sydjrq: '20261031',
      },
      applicant: { csrq: '19491231', xb: '2', zjhm: '11010519491231002X', zjlx: '01', xm: '李四' },
      requestId: 'r-2',
    },
    'values that need escaping, numbers, booleans, null and undefined': {
      requestId: `r&<>"'\t\r\n`,
      applicant: { xm: '<![CDATA[张三]]>', zjlx: 1, zjhm: true, xb: null, csrq: undefined, lxdh: '𠮷' },
      registration: {
        sydjrq: '',
        syyy: 0,
        yhdw: 'a]]>b',
        xzqh: -1.5e-7,
        slsj: false,
        slqd: '\uE000 1 \uE001',
      },
    },
    'unknown keys and arrays': {
      requestId: 'r-4',
      extra: ['a', 'b'],
      applicant: [{ xm: 'x' }, { xm: 'y' }],
      registration: {},
    },
  };

  for (const variant of variants) {
    describe(`SOAP ${variant.soapVersion}, security ${variant.security}`, () => {
      const http = transport();
      let loaded: LoadedSoapClient;
      let fast: SoapFastPath;

      beforeAll(async () => {
        const options = soapOptions({
          wsdl,
          soapVersion: variant.soapVersion,
          port: variant.port,
          endpoint: 'http://127.0.0.1:9/hrss',
          soapHeaders: ['<tb:Trace xmlns:tb="urn:tongban">t-1</tb:Trace>'],
          httpHeaders: { 'X-Gateway': 'tongban' },
          ...(variant.security === 'none' ? { security: { type: 'none' } } : {}),
        });
        loaded = await loadSoapClient('HRSS', CONFIG_DIR, options, http);
        fast = new SoapFastPath(loaded, options);
      });

      afterAll(() => http.close());

      it.each(Object.keys(messages))('%s', (name) => {
        for (const operation of ['SubmitUnemploymentRegistration', 'QueryRegistrationStatus']) {
          // Twice: the first compiles the shape's template, the second only fills it.
          for (let round = 0; round < 2; round++) {
            const ours = fast.request(operation, messages[name]);
            const reference = nodeSoapRequest(loaded, operation, messages[name]);
            expect(ours).toBeDefined();
            expect(ours!.headers).toEqual(reference.headers);
            if (variant.security === 'none') {
              expect(ours!.envelope).toBe(reference.envelope);
            } else {
              expect(ours!.envelope.match(SECURITY)).not.toBeNull();
              expect(ours!.envelope.replace(SECURITY, 'S')).toBe(reference.envelope.replace(SECURITY, 'S'));
            }
          }
        }
      });

      it('leaves to node-soap what it does not reproduce', () => {
        const operation = 'SubmitUnemploymentRegistration';
        const unsupported: object[] = [
          { requestId: { attributes: { lang: 'zh' }, $value: 'r' } },
          { requestId: 'r', applicant: { $xml: '<xm>raw</xm>' } },
          { requestId: 'r', _xml: '<raw/>' },
          { requestId: new Date(0) },
          { requestId: Buffer.from('r') },
          { requestId: 1n },
          { requestId: () => 'r' },
        ];
        for (const message of unsupported) expect(fast.request(operation, message)).toBeUndefined();
        expect(fast.request('NoSuchOperation', { requestId: 'r' })).toBeUndefined();
      });
    });
  }
});
