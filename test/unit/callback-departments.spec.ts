import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error';
import { loadConfig } from '../../src/config/config-loader';
import { callbackDepartments } from '../../src/gateway/callbacks/callback-departments';
import { RegionTable } from '../../src/regions/region-table';

const EXAMPLE = join(__dirname, '../../config');
const regions = RegionTable.load();
const TLS = { certFile: '/tls/cert.pem', keyFile: '/tls/key.pem', clientCaFile: '/tls/ca.pem' };

/** The example config with HEALTH's callbacks section replaced. */
function withHealthCallbacks(section: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-callbacks-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  const file = join(dir, 'departments', 'HEALTH.yaml');
  const yaml = readFileSync(file, 'utf8').replace(/\n {2}callbacks:\n(?: {4}.*\n)+/, `\n${section}`);
  writeFileSync(file, yaml);
  return dir;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.file} | ${p.path} | ${p.reason}`);
    throw error;
  }
  return [];
}

describe('callback departments (start-up checks)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const load = (section: string) => {
    const dir = withHealthCallbacks(section);
    dirs.push(dir);
    return loadConfig(dir, { env: {}, regions });
  };

  it('takes the shipped CIVIL and HEALTH schemes with their env-default secrets', () => {
    const departments = callbackDepartments(loadConfig(EXAMPLE, { env: {}, regions }), { role: 'all' });
    expect([...departments.keys()].sort()).toEqual(['CIVIL', 'HEALTH']);
    expect(departments.get('CIVIL')).toMatchObject({
      statusMapping: 'civil-dibao-status',
      maxBytes: 65536,
      auth: { type: 'hmac', signed: 'timestamp+body', secret: 'demo-civil-callback-secret', encoding: 'hex' },
    });
    expect(departments.get('HEALTH')?.auth).toMatchObject({
      header: 'X-Hub-Signature',
      prefix: 'sha256=',
      encoding: 'base64',
      signed: 'body',
    });
  });

  it('stops the start for schemes that could never succeed, listing each problem', () => {
    const noSecret = load('  callbacks:\n    auth: { type: hmac, secret: "" }\n');
    expect(problemsOf(() => callbackDepartments(noSecret, { role: 'all' }))).toEqual([
      'departments/HEALTH.yaml | tracking.callbacks.auth.secret | an HMAC secret is required',
    ]);
    const badCertificates = load(
      '  callbacks:\n    auth: { type: mtls, certificateFingerprints: ["AB:CD"] }\n',
    );
    expect(problemsOf(() => callbackDepartments(badCertificates, { role: 'api' }))).toEqual([
      'departments/HEALTH.yaml | tracking.callbacks.auth.certificateFingerprints[0] | not a SHA-256 fingerprint (64 hex digits)',
      'departments/HEALTH.yaml | tracking.callbacks.auth.type | mtls needs TONGBAN_TLS_CERT, TONGBAN_TLS_KEY and TONGBAN_TLS_CLIENT_CA (client certificates)',
    ]);
    const noList = load('  callbacks:\n    auth: { type: mtls }\n');
    expect(problemsOf(() => callbackDepartments(noList, { role: 'all', tls: TLS }))).toEqual([
      'departments/HEALTH.yaml | tracking.callbacks.auth.certificateFingerprints | list the SHA-256 fingerprints of its client certificates',
    ]);
  });

  it('accepts mTLS with fingerprints when the gateway asks for client certificates, or in a worker', () => {
    const fingerprint = 'AB:'.repeat(31) + 'CD';
    const config = load(
      `  callbacks:\n    auth: { type: mtls, certificateFingerprints: ["${fingerprint}"] }\n`,
    );
    expect(callbackDepartments(config, { role: 'all', tls: TLS }).get('HEALTH')?.auth.type).toBe('mtls');
    // Workers serve no HTTP, so they need no TLS for it.
    expect(callbackDepartments(config, { role: 'worker' }).has('HEALTH')).toBe(true);
  });
});
