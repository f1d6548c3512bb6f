import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, readEnvironment } from '../../src/config/environment';

/** TONGBAN_TLS_*: HTTPS for the gateway, and client certificates for mTLS callbacks. */
describe('TLS environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-tls-env-'));
  const file = (name: string) => {
    writeFileSync(join(dir, name), 'PEM');
    return join(dir, name);
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is plain HTTP without the variables', () => {
    expect(readEnvironment({}).tls).toBeUndefined();
  });

  it('reads certificate, key and the optional client CA', () => {
    const env = { TONGBAN_TLS_CERT: file('cert.pem'), TONGBAN_TLS_KEY: file('key.pem') };
    expect(readEnvironment(env).tls).toEqual({
      certFile: env.TONGBAN_TLS_CERT,
      keyFile: env.TONGBAN_TLS_KEY,
    });
    expect(readEnvironment({ ...env, TONGBAN_TLS_CLIENT_CA: file('ca.pem') }).tls?.clientCaFile).toBe(
      join(dir, 'ca.pem'),
    );
  });

  it('refuses half a configuration and files that do not exist, naming each', () => {
    expect(() => readEnvironment({ TONGBAN_TLS_CLIENT_CA: file('ca.pem') })).toThrow(
      /TONGBAN_TLS_CERT and TONGBAN_TLS_KEY go together/,
    );
    const missing = () =>
      readEnvironment({ TONGBAN_TLS_CERT: join(dir, 'nope.pem'), TONGBAN_TLS_KEY: file('key.pem') });
    expect(missing).toThrow(EnvironmentError);
    expect(missing).toThrow(`TONGBAN_TLS_CERT: no file ${join(dir, 'nope.pem')}`);
  });
});
