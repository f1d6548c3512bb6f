import { mkdirSync, readFileSync } from 'node:fs';
import { loadOrCreateDevKeys } from '../common/crypto/dev-keys';
import { PersonalDataCipher } from '../common/crypto/personal-data-cipher';
import { createLogger } from '../common/logging/logger';
import { PinoNestLogger } from '../common/logging/nest-logger';
import { loadConfig } from '../config/config-loader';
import { readEnvironment } from '../config/environment';
import {
  assertSystemBinaries,
  startEmbeddedServices,
  type EmbeddedServices,
} from '../embedded/embedded-services';
import { RegionTable } from '../regions/region-table';
import { MappingRegistry } from '../mappings/mapping-registry';
import { IntakeProfileRegistry } from '../mappings/intake/intake-profile';
import { createGatewayApp } from '../bootstrap';
import { startDemoDepartments, type DemoDepartments } from '../simulators/demo-departments';
import { submitDemoCases } from './demo-cases';

/**
 * `tongban start`: with TONGBAN_DATABASE_URL and TONGBAN_REDIS_URL it uses those servers; without
 * them it runs private Redis and MariaDB processes under the data directory and stops them on exit.
 */
export async function startGateway(): Promise<void> {
  const env = readEnvironment();
  const log = createLogger({ level: env.logLevel });
  const regions = RegionTable.load();
  const config = loadConfig(env.configDir, { apiKeysJson: env.apiKeysJson, regions });
  // Mappings and intake profiles are checked before anything starts, so a bad one stops the start
  // with its file, field and reason rather than halfway through.
  MappingRegistry.load(env.configDir, regions);
  IntakeProfileRegistry.load(env.configDir, regions);
  log.info(
    { configDir: env.configDir, departments: [...config.departments.keys()], role: env.role },
    'configuration loaded',
  );

  let embedded: EmbeddedServices | undefined;
  if (!env.databaseUrl || !env.redisUrl) {
    assertSystemBinaries();
    mkdirSync(env.dataDir, { recursive: true });
    log.info({ dataDir: env.dataDir }, 'starting embedded Redis and MariaDB');
    embedded = await startEmbeddedServices({ dataDir: env.dataDir, log: (line) => log.info(line) });
  }
  // The embedded default runs the example departments' simulators too, unless TONGBAN_DEMO=off.
  const demo = embedded !== undefined && process.env.TONGBAN_DEMO !== 'off';
  let departments: DemoDepartments | undefined;
  // Served over HTTPS when TONGBAN_TLS_CERT is set; the demo departments call back on this URL.
  const url = `${env.tls ? 'https' : 'http'}://${localHost(env.host)}:${env.port}`;
  if (demo) {
    // Only processes that serve HTTP take callbacks; a port of 0 is not known before listening.
    const gateway =
      env.role !== 'worker' && env.port > 0
        ? { url, ca: env.tls ? readFileSync(env.tls.certFile) : undefined }
        : undefined;
    departments = await startDemoDepartments(env.dataDir, (line) => log.info(line), gateway);
  }
  const databaseUrl = env.databaseUrl ?? embedded!.databaseUrl;
  const redisUrl = env.redisUrl ?? embedded!.redisUrl;

  const cipher = process.env.TONGBAN_DATA_KEYS
    ? PersonalDataCipher.fromEnvironment(process.env)
    : embedded
      ? new PersonalDataCipher({ profile: cryptoProfile(), ...loadOrCreateDevKeys(env.dataDir) })
      : PersonalDataCipher.fromEnvironment(process.env);
  if (!process.env.TONGBAN_DATA_KEYS)
    log.warn('TONGBAN_DATA_KEYS is not set: using a generated key under the data directory (demo only)');

  const app = await createGatewayApp(
    { env, config, databaseUrl, redisUrl, cipher, regions },
    new PinoNestLogger(log),
  );
  const stopEmbedded = async () => {
    await departments?.stop();
    departments = undefined;
    await embedded?.stop();
    embedded = undefined;
  };
  process.once('exit', () => void stopEmbedded());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void app
        .close()
        .then(stopEmbedded)
        .finally(() => process.exit(0));
    });
  }
  try {
    await app.startAllMicroservices();
    await app.listen({ host: env.host, port: env.port });
  } catch (error) {
    await stopEmbedded();
    throw error;
  }
  log.info({ url, docs: `${url}/api/docs`, queues: `${url}/admin/queues` }, 'Tongban gateway is listening');
  if (demo && env.role === 'all') {
    void submitDemoCases(url, log).catch((error: Error) => log.warn(`demo cases: ${error.message}`));
  }
}

/** Where this machine reaches a server bound to `host` (any-address → loopback). */
function localHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function cryptoProfile(): 'international' | 'national' {
  return process.env.TONGBAN_CRYPTO_PROFILE === 'national' ? 'national' : 'international';
}
