import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { SoapAdapterOptions, SoapFaultRule } from '../../src/adapters/soap/soap-adapter.options';
import { extractFault, SoapFaultClassifier } from '../../src/adapters/soap/soap-fault-classifier';

const rule = (plain: Record<string, unknown>) =>
  plainToInstance(SoapFaultRule, plain, { exposeDefaultValues: true });

describe('SoapFaultClassifier', () => {
  const defaults = new SoapFaultClassifier([]);

  it.each([
    ['soap:Client.ValidationFailed', 'permanent'],
    ['soap:Client.Authentication', 'permanent'],
    ['Client', 'permanent'],
    ['soap:Sender/tns:NotFound', 'permanent'],
    ['soap:Server.Unavailable', 'transient'],
    ['SOAP-ENV:Server', 'transient'],
    ['soap:Receiver/tns:Busy', 'transient'],
    ['soap:MustUnderstand', 'transient'],
    ['soap:ClientX', 'transient'],
  ] as const)('%s → %s by default', (code, expected) => {
    expect(defaults.classify({ code, message: '' })).toBe(expected);
  });

  it('applies configured rules first, on the code or the string', () => {
    const classifier = new SoapFaultClassifier([
      rule({ match: 'Client\\.Locked', outcome: 'transient' }),
      rule({ match: '重复|duplicate', field: 'faultstring', outcome: 'permanent' }),
    ]);
    expect(classifier.classify({ code: 'soap:Client.Locked', message: '记录被锁定' })).toBe('transient');
    expect(classifier.classify({ code: 'soap:Server.Error', message: '重复提交' })).toBe('permanent');
    expect(classifier.classify({ code: 'soap:Server.Error', message: 'Client should retry' })).toBe(
      'transient',
    );
  });
});

describe('extractFault', () => {
  it('reads SOAP 1.1 and 1.2 faults from node-soap errors', () => {
    const fault11 = Object.assign(new Error('x'), {
      root: { Envelope: { Body: { Fault: { faultcode: 'soap:Client.X', faultstring: 'bad' } } } },
    });
    expect(extractFault(fault11)).toEqual({ code: 'soap:Client.X', message: 'bad' });
    const fault12 = Object.assign(new Error('x'), {
      root: {
        Envelope: {
          Body: {
            Fault: {
              Code: { Value: 'soap:Sender', Subcode: { Value: 'tns:NotFound' } },
              Reason: { Text: { attributes: { 'xml:lang': 'zh' }, $value: '未找到' } },
            },
          },
        },
      },
    });
    expect(extractFault(fault12)).toEqual({ code: 'soap:Sender/tns:NotFound', message: '未找到' });
  });

  it("does not take node-soap's 'Invalid XML' pseudo-fault for the department's", () => {
    const pseudo = { Fault: { faultcode: 500, faultstring: 'Invalid XML', statusCode: 500 } };
    expect(extractFault(pseudo)).toBeUndefined();
    expect(extractFault(new Error('Cannot parse response'))).toBeUndefined();
  });
});

describe('SoapAdapterOptions', () => {
  const validate = (plain: unknown) => {
    const options = plainToInstance(SoapAdapterOptions, plain, { exposeDefaultValues: true });
    return { options, errors: validateSync(options, { whitelist: true, forbidNonWhitelisted: true }) };
  };

  it('accepts the shipped HRSS adapter options and fills defaults', () => {
    const yaml = parse(readFileSync(resolve(__dirname, '../../config/departments/HRSS.yaml'), 'utf8')) as {
      adapter: { options: Record<string, unknown> };
    };
    const { options, errors } = validate({ ...yaml.adapter.options, endpoint: 'http://127.0.0.1:18101/x' });
    expect(errors).toEqual([]);
    expect(options).toMatchObject({
      soapVersion: '1.1',
      maxResponseBytes: 5 * 1024 * 1024,
      maxDepth: 200,
      allowRemoteWsdl: false,
      security: { type: 'usernameToken', passwordType: 'PasswordDigest', timestamp: true },
      receipt: { referenceField: 'businessNo', successCodes: ['0000'] },
    });
  });

  it('reads an unquoted YAML soapVersion (a number) as the version string', () => {
    const { options, errors } = validate({ wsdl: 'x.wsdl', operation: 'Op', soapVersion: 1.2 });
    expect(errors).toEqual([]);
    expect(options.soapVersion).toBe('1.2');
  });

  it('refuses bad regexes, unknown charsets, missing credentials and stray keys', () => {
    const { errors } = validate({
      wsdl: 'x.wsdl',
      operation: 'Op',
      soapVersion: '1.3',
      faultRules: [{ match: '(', outcome: 'permanent' }],
      responseEncoding: 'X-NOPE',
      security: { type: 'usernameToken' },
      unexpected: true,
    });
    const properties = errors.map((error) => error.property).sort();
    expect(properties).toEqual(['faultRules', 'responseEncoding', 'security', 'soapVersion', 'unexpected']);
  });
});
