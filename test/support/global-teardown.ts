import { rmSync } from 'node:fs';
import { takeTestServicesHandle } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const handle = takeTestServicesHandle();
  if (!handle) return;
  try {
    await handle.services.stop();
  } finally {
    for (const key of handle.envKeys) delete process.env[key];
    rmSync(handle.dataDir, { recursive: true, force: true });
  }
}
