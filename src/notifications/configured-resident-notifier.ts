import type { PlatformConfig } from '../config/model/platform-config';
import { LogResidentNotifier } from './log-resident-notifier';
import type { ResidentNotice, ResidentNotifier } from './resident-notifier';
import { WebhookResidentNotifier } from './webhook-resident-notifier';
import type { WebhookTransport } from './webhook-transport';

/** Thrown at start-up when platforms.yaml asks for a notifier it does not give the settings of. */
export class ResidentNotifierConfigError extends Error {
  constructor(problems: string[]) {
    super(`Invalid resident notifier settings in platforms.yaml:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ResidentNotifierConfigError';
  }
}

/** The built-in notifier: each platform's `residentNotifier` (log or webhook) decides. */
export class ConfiguredResidentNotifier implements ResidentNotifier {
  private readonly log = new LogResidentNotifier();
  private readonly webhook: WebhookResidentNotifier;

  constructor(
    private readonly platforms: ReadonlyMap<string, PlatformConfig>,
    transport: WebhookTransport,
  ) {
    const problems: string[] = [];
    for (const platform of platforms.values()) {
      if (platform.residentNotifier !== 'webhook') continue;
      const url = platform.residentNotifierUrl;
      if (!url || !/^https?:\/\/[^/]/.test(url))
        problems.push(`${platform.source}: residentNotifier webhook needs an http(s) residentNotifierUrl`);
      if (!platform.webhook)
        problems.push(
          `${platform.source}: residentNotifier webhook is signed with webhook.secret; add webhook`,
        );
    }
    if (problems.length > 0) throw new ResidentNotifierConfigError(problems);
    this.webhook = new WebhookResidentNotifier(platforms, transport);
  }

  notify(notice: ResidentNotice): Promise<void> {
    const kind = this.platforms.get(notice.source)?.residentNotifier ?? 'none';
    switch (kind) {
      case 'log':
        return this.log.notify(notice);
      case 'webhook':
        return this.webhook.notify(notice);
      case 'none':
        return Promise.reject(new Error(`platform ${notice.source} has no resident notifier`));
    }
  }
}
