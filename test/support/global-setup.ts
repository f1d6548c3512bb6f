import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedServices, type EmbeddedServices } from '../../src/embedded/embedded-services';

/** What global setup started, for global teardown (both run in jest's parent process). */
export interface TestServicesHandle {
  services: EmbeddedServices;
  dataDir: string;
  /** The env vars setup filled in, cleared again so a watch-mode rerun starts fresh servers. */
  envKeys: string[];
}

type GlobalWithServices = typeof globalThis & { tongbanTestServices?: TestServicesHandle };

export function takeTestServicesHandle(): TestServicesHandle | undefined {
  const store = globalThis as GlobalWithServices;
  const handle = store.tongbanTestServices;
  delete store.tongbanTestServices;
  return handle;
}

const ENV_URLS = {
  TONGBAN_TEST_REDIS_URL: (services: EmbeddedServices) => services.redisUrl,
  TONGBAN_TEST_DATABASE_URL: (services: EmbeddedServices) => services.databaseUrl,
};

/** Shared private Redis and MariaDB for the e2e project; workers inherit the URLs through env. */
export default async function globalSetup(): Promise<void> {
  const missing = Object.keys(ENV_URLS).filter((key) => !process.env[key]) as (keyof typeof ENV_URLS)[];
  if (missing.length === 0) return;

  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-test-'));
  let services: EmbeddedServices;
  try {
    services = await startEmbeddedServices({ dataDir });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  for (const key of missing) process.env[key] = ENV_URLS[key](services);
  (globalThis as GlobalWithServices).tongbanTestServices = { services, dataDir, envKeys: missing };
}
