import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DpfSimulator } from './file-drop/dpf.simulator';
import { CivilSimulator } from './rest/civil.simulator';
import { HealthSimulator } from './rest/health.simulator';
import { HrssSimulator } from './soap/hrss.simulator';
import { startDemoPlatformReceiver } from './platform/demo-platform-receiver';

export interface DemoDepartments {
  stop(): Promise<void>;
}

/** The gateway the REST demo departments call back with status changes. */
export interface DemoGateway {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** PEM of the CA (or self-signed certificate) to trust when the url is https. */
  ca?: Buffer;
}

/** Must match the `${…:-default}` of tracking.callbacks.auth.secret in config/departments. */
const CALLBACK_SECRETS = {
  CIVIL: () => process.env.CIVIL_CALLBACK_SECRET || 'demo-civil-callback-secret',
  HEALTH: () => process.env.HEALTH_CALLBACK_SECRET || 'demo-health-callback-secret',
};

/**
 * The four example departments of config/, on the ports and folders its defaults name, so that the
 * embedded demo delivers end to end: HRSS (SOAP) :18101, CIVIL (REST) :18102, HEALTH (REST) :18103,
 * DPF (GBK files) under <dataDir>/departments/DPF. With a gateway, CIVIL and HEALTH report each
 * status change to it as signed callbacks, as real departments do.
 */
export async function startDemoDepartments(
  dataDir: string,
  log: (message: string) => void,
  gateway?: DemoGateway,
): Promise<DemoDepartments> {
  const callback = (code: keyof typeof CALLBACK_SECRETS) =>
    gateway && {
      url: `${gateway.url}/api/v1/departments/${code}/callbacks`,
      secret: CALLBACK_SECRETS[code](),
      tls: gateway.ca ? { ca: gateway.ca } : undefined,
    };
  const stops: Array<() => Promise<void>> = [];
  const attempt = async (name: string, start: () => Promise<() => Promise<void>>) => {
    try {
      stops.push(await start());
      log(`demo department ${name} is running`);
    } catch (error) {
      log(
        `demo department ${name} did not start (${(error as Error).message}); its deliveries will wait and retry`,
      );
    }
  };
  await attempt('HRSS (SOAP) on :18101', async () => {
    const hrss = new HrssSimulator({ port: 18101 });
    await hrss.start();
    return () => hrss.stop();
  });
  await attempt('CIVIL (REST, OAuth2) on :18102', async () => {
    const civil = new CivilSimulator({ statusAdvanceMs: 30_000, callback: callback('CIVIL') });
    await civil.start(18102);
    return () => civil.stop();
  });
  await attempt('HEALTH (REST, HMAC) on :18103', async () => {
    const health = new HealthSimulator({ statusAdvanceMs: 30_000, callback: callback('HEALTH') });
    await health.start(18103);
    return () => health.stop();
  });
  await attempt(`DPF (GBK CSV files) in ${join(dataDir, 'departments', 'DPF')}`, async () => {
    const rootDir = join(dataDir, 'departments', 'DPF');
    mkdirSync(rootDir, { recursive: true });
    const dpf = new DpfSimulator({ rootDir, controlPort: false });
    await dpf.start();
    return () => dpf.stop();
  });
  await attempt('platform receiver (webhooks) on :18109', async () => {
    const receiver = await startDemoPlatformReceiver(log);
    return () => receiver.stop();
  });
  return { stop: async () => void (await Promise.allSettled(stops.map((stop) => stop()))) };
}
