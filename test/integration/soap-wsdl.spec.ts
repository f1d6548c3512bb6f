import { resolve } from 'node:path';
import { createSoapAdapter, FIXTURES } from '../fixtures/soap/soap-test-kit';

describe('SOAP adapter WSDL loading', () => {
  it('resolves the HRSS WSDL and its xsd:include from local files only', async () => {
    const adapter = await createSoapAdapter({ endpoint: 'http://127.0.0.1:9/hrss' });
    expect(typeof adapter.checkStatus).toBe('function');
    await adapter.close();
  });

  it('offers no checkStatus without a statusOperation', async () => {
    const adapter = await createSoapAdapter({ statusOperation: undefined });
    expect(adapter.checkStatus).toBeUndefined();
    await adapter.close();
  });

  it('a WSDL that cannot be parsed is an error naming the department and the file', async () => {
    await expect(createSoapAdapter({ wsdl: 'broken.wsdl' }, { configDir: FIXTURES })).rejects.toThrow(
      /department HRSS: cannot use WSDL broken\.wsdl: /,
    );
    // Asked again (cache must not hold the broken file), same clear error.
    await expect(createSoapAdapter({ wsdl: 'broken.wsdl' }, { configDir: FIXTURES })).rejects.toThrow(/HRSS/);
  });

  it('a missing file, an unknown operation or port are clear errors too', async () => {
    await expect(createSoapAdapter({ wsdl: 'missing.wsdl' }, { configDir: FIXTURES })).rejects.toThrow(
      /department HRSS: cannot use WSDL missing\.wsdl: .*ENOENT/,
    );
    await expect(createSoapAdapter({ endpoint: 'ftp://x/y' })).rejects.toThrow(
      /endpoint ftp:\/\/x\/y is not an http\(s\) URL/,
    );
    await expect(createSoapAdapter({ operation: 'Nope' })).rejects.toThrow(/operation Nope not found/);
    await expect(createSoapAdapter({ port: 'Nope' })).rejects.toThrow(
      /port Nope not found; the WSDL has UnemploymentPort, UnemploymentPort12/,
    );
  });

  it('refuses remote WSDLs and remote imports unless allowRemoteWsdl', async () => {
    await expect(createSoapAdapter({ wsdl: 'http://127.0.0.1:9/service?wsdl' })).rejects.toThrow(
      /it is remote; set allowRemoteWsdl: true/,
    );
    await expect(
      createSoapAdapter({
        wsdl: resolve(FIXTURES, 'remote-import.wsdl'),
        operation: 'Ping',
        statusOperation: undefined,
      }),
    ).rejects.toThrow(/import of remote http:\/\/127\.0\.0\.1:9\/remote-types\.xsd refused/);
  });
});
