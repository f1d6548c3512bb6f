import { PlatformWebhookConfig, type PlatformConfig } from '../config/model/platform-config';

/** A platform that gets anything from Tongban: a webhook, resident notices, or both. */
export function dispatchesEvents(platform: PlatformConfig): boolean {
  return platform.webhook !== undefined || platform.residentNotifier !== 'none';
}

/** Retry settings of a platform's events (its webhook's, or the defaults when it only has notices). */
export function retryPolicyOf(platform: PlatformConfig | undefined): PlatformWebhookConfig {
  return platform?.webhook ?? DEFAULT_POLICY;
}

const DEFAULT_POLICY = Object.freeze(new PlatformWebhookConfig());

/**
 * The `host:port` patterns a connection to `url` must match: the platform's `allowedHosts`, else the
 * URL's own host and port, so a webhook can never be pointed elsewhere by DNS alone.
 */
export function allowedHostsFor(url: string, platform: PlatformConfig): string[] {
  if (platform.webhook?.allowedHosts && platform.webhook.allowedHosts.length > 0)
    return platform.webhook.allowedHosts;
  const target = new URL(url);
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return [`${target.hostname}:${port}`];
}
