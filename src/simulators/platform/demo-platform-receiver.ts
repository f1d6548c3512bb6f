import { PlatformReceiver } from './platform-receiver';

/** Where config/platforms.yaml points the demo platform's webhook by default. */
export const DEMO_PLATFORM_RECEIVER_PORT = 18109;

/**
 * The demo community platform's backend on :18109, verifying webhooks with the demo secret of
 * config/platforms.yaml (DEMO_PLATFORM_WEBHOOK_SECRET overrides both). Throws when the port is taken.
 */
export async function startDemoPlatformReceiver(
  log: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; stop(): Promise<void> }> {
  const receiver = new PlatformReceiver({
    secret: env.DEMO_PLATFORM_WEBHOOK_SECRET || 'demo-webhook-secret',
    log,
  });
  const url = await receiver.start(DEMO_PLATFORM_RECEIVER_PORT);
  return { url, stop: () => receiver.stop() };
}
