import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthSimulator } from '../../src/simulators/rest/health.simulator';
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { deliveriesOf } from '../support/delivery-probe';
import { sampleCase } from '../support/sample-case';
import { restDepartmentsConfig } from '../support/test-config';
import { PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';
import { waitFor } from '../support/wait-for';

interface Pem {
  cert: Buffer;
  key: Buffer;
}

/** A throwaway PKI made with openssl: a CA, a server certificate for 127.0.0.1, client certificates. */
class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'tongban-mtls-'));

  constructor() {
    this.selfSigned('ca', 'Tongban Test CA');
    this.selfSigned('rogue-ca', 'Someone Else CA');
    this.issued('server', '127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
    this.issued('health', 'HEALTH callbacks', 'ca', 'extendedKeyUsage=clientAuth');
    this.issued('other', 'Another department', 'ca', 'extendedKeyUsage=clientAuth');
    this.issued('rogue', 'HEALTH callbacks', 'rogue-ca', 'extendedKeyUsage=clientAuth');
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  pem(name: string): Pem {
    return { cert: readFileSync(this.file(`${name}.pem`)), key: readFileSync(this.file(`${name}.key`)) };
  }

  /** SHA-256 fingerprint as `openssl x509 -fingerprint` prints it (AB:CD:…). */
  fingerprint(name: string): string {
    const out = openssl('x509', '-noout', '-fingerprint', '-sha256', '-in', this.file(`${name}.pem`));
    return out.trim().split('=')[1];
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private selfSigned(name: string, subject: string): void {
    openssl(
      ...words('req -x509 -days 2'),
      ...NEW_KEY,
      ...this.keyAndOut(name, 'pem'),
      '-subj',
      `/CN=${subject}`,
    );
  }

  private issued(name: string, subject: string, ca: string, extension: string): void {
    writeFileSync(this.file(`${name}.ext`), `${extension}\n`);
    openssl('req', ...NEW_KEY, ...this.keyAndOut(name, 'csr'), '-subj', `/CN=${subject}`);
    const [csr, extfile] = [this.file(`${name}.csr`), this.file(`${name}.ext`)];
    const [caCert, caKey, out] = [this.file(`${ca}.pem`), this.file(`${ca}.key`), this.file(`${name}.pem`)];
    openssl(
      ...words(`x509 -req -days 2 -CAcreateserial -in ${csr} -CA ${caCert} -CAkey ${caKey}`),
      ...words(`-out ${out} -extfile ${extfile}`),
    );
  }

  private keyAndOut(name: string, extension: string): string[] {
    return ['-keyout', this.file(`${name}.key`), '-out', this.file(`${name}.${extension}`)];
  }
}

const NEW_KEY = words('-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes');

/** Arguments without spaces in them (temp paths have none). */
function words(text: string): string[] {
  return text.split(' ');
}

function openssl(...args: string[]): string {
  return execFileSync('/usr/bin/openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface HttpsResult {
  status: number;
  contentType: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary response shapes
  body: any;
}

/** An HTTPS call trusting the test CA, with a client certificate when given. */
function httpsCall(
  url: string,
  method: string,
  options: { ca: Buffer; client?: Pem; body?: unknown; key?: string },
): Promise<HttpsResult> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: options.ca,
        ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}),
        // One connection per call, so each call presents its own certificate (or none).
        agent: false,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: text ? (JSON.parse(text) as unknown) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A department that proves itself with a client certificate: the gateway serves HTTPS and asks for one. */
describe('department status callbacks over mTLS', () => {
  const health = new HealthSimulator();
  const civil = new CivilSimulator();
  let pki: TestPki;
  let gw: TestGateway;
  let baseUrl: string;
  let config: { dir: string; dispose(): void };

  beforeAll(async () => {
    pki = new TestPki();
    config = restDepartmentsConfig([
      { code: 'CIVIL', baseUrl: await civil.start() },
      { code: 'HEALTH', baseUrl: await health.start() },
    ]);
    // HEALTH switches to mTLS with its certificate's fingerprint; CIVIL here takes no callbacks at all.
    const healthYaml = join(config.dir, 'departments', 'HEALTH.yaml');
    writeFileSync(
      healthYaml,
      readFileSync(healthYaml, 'utf8').replace(
        /\n {2}callbacks:\n(?: {4}.*\n)+/,
        `\n  callbacks:\n    auth:\n      type: mtls\n      certificateFingerprints: ['${pki.fingerprint('health')}']\n`,
      ),
    );
    const civilYaml = join(config.dir, 'departments', 'CIVIL.yaml');
    writeFileSync(
      civilYaml,
      readFileSync(civilYaml, 'utf8').replace(/\n {2}callbacks:\n(?: {4}.*\n)+/, '\n'),
    );
    gw = await startTestGateway({
      configDir: config.dir,
      env: {
        TONGBAN_TLS_CERT: pki.file('server.pem'),
        TONGBAN_TLS_KEY: pki.file('server.key'),
        TONGBAN_TLS_CLIENT_CA: pki.file('ca.pem'),
      },
    });
    baseUrl = gw.url.replace(/^http:/, 'https:');
  });
  afterAll(async () => {
    await gw?.close();
    await health.stop();
    await civil.stop();
    config?.dispose();
    pki?.dispose();
  });

  const ca = () => pki.pem('ca').cert;
  const callbacks = `/api/v1/departments/HEALTH/callbacks`;
  const statusOf = async (id: string) => (await deliveriesOf(gw, 'id = ?', [id]))[0];

  /** Submitted over HTTPS with an API key and no client certificate, as any platform does. */
  const delivered = async () => {
    const res = await httpsCall(`${baseUrl}/api/v1/cases`, 'POST', {
      ca: ca(),
      key: PLATFORM_KEY,
      body: sampleCase({ serviceCode: 'HEALTH-BIRTH-REG', form: { childOrder: 1 } }),
    });
    expect(res.status).toBe(202);
    const deliveryId = (res.body as { deliveries: Array<{ id: string }> }).deliveries[0].id;
    await waitFor(async () => (await statusOf(deliveryId))?.status === 'DELIVERED', 'delivery');
    return { deliveryId, reference: (await statusOf(deliveryId)).receipt_ref! };
  };

  it("accepts the department's certificate and refuses others, unsigned or from another CA", async () => {
    const { deliveryId, reference } = await delivered();
    const body = { registrationNo: reference, state: 'IN_REVIEW', note: null, doneAt: null };

    const refusals: Array<[Pem | undefined, string]> = [
      [undefined, 'a client certificate is required'],
      [pki.pem('other'), "the client certificate is not one of this department's"],
      [pki.pem('rogue'), 'the client certificate is not issued by a trusted CA'],
    ];
    for (const [client, reason] of refusals) {
      const refused = await httpsCall(`${baseUrl}${callbacks}`, 'POST', { ca: ca(), client, body });
      expect(refused.status).toBe(401);
      expect(refused.contentType).toContain('application/problem+json');
      expect(refused.body.detail).toContain(reason);
    }
    expect((await statusOf(deliveryId)).status).toBe('DELIVERED');

    const accepted = await httpsCall(`${baseUrl}${callbacks}`, 'POST', {
      ca: ca(),
      client: pki.pem('health'),
      body,
    });
    expect(accepted).toMatchObject({
      status: 200,
      body: { deliveryId, status: 'PROCESSING', outcome: 'applied' },
    });
    expect((await statusOf(deliveryId)).status).toBe('PROCESSING');
  });

  it('answers 404 for a department without callbacks configured', async () => {
    const res = await httpsCall(`${baseUrl}/api/v1/departments/CIVIL/callbacks`, 'POST', {
      ca: ca(),
      client: pki.pem('health'),
      body: { application_no: 'MZ1', status: '审核中' },
    });
    expect(res.status).toBe(404);
  });

  it('takes the simulator callbacks made with its client certificate', async () => {
    const { deliveryId } = await delivered();
    health.setCallback({
      url: `${baseUrl}${callbacks}`,
      secret: 'unused-with-mtls',
      retryDelaysMs: [200],
      tls: { ca: ca(), ...pki.pem('health') },
    });
    try {
      expect(health.setStatus(deliveryId, 'DONE', '已发放生育服务证')).toBe(true);
      await waitFor(async () => (await statusOf(deliveryId)).status === 'APPROVED', 'mTLS callback');
      // The gateway commits before its answer reaches the simulator.
      await waitFor(() => health.stats().callbacks.delivered === 1, 'the answer at the simulator');
      expect(health.stats().callbacks).toMatchObject({ attempts: 1, failed: 0 });
    } finally {
      health.setCallback();
    }
  });
});
