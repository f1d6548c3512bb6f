import type { PlatformConfig } from '../config/model/platform-config';
import { PlatformEventType } from './platform-event-writer';
import { allowedHostsFor, retryPolicyOf } from './platform-targets';
import type { ResidentNotice, ResidentNotifier } from './resident-notifier';
import { signWebhook } from './webhook-signature';
import type { WebhookTransport } from './webhook-transport';

/**
 * POSTs the notice, phone included, to the platform's `residentNotifierUrl` (its SMS service),
 * signed with the platform's webhook secret exactly like a webhook. Any 2xx is sent.
 */
export class WebhookResidentNotifier implements ResidentNotifier {
  constructor(
    private readonly platforms: ReadonlyMap<string, PlatformConfig>,
    private readonly transport: WebhookTransport,
  ) {}

  async notify(notice: ResidentNotice): Promise<void> {
    const platform = this.platforms.get(notice.source);
    const url = platform?.residentNotifierUrl;
    if (!platform?.webhook || !url) throw new Error(`platform ${notice.source} has no resident notifier URL`);
    const { eventId, ...payload } = notice;
    const signed = signWebhook(
      { id: eventId, type: PlatformEventType.ResidentNotice },
      { event: PlatformEventType.ResidentNotice, ...payload },
      platform.webhook,
    );
    const answer = await this.transport.post({
      url,
      ...signed,
      timeoutMs: retryPolicyOf(platform).timeoutMs,
      allowedHosts: allowedHostsFor(url, platform),
      pool: `resident-notifier:${platform.source}`,
    });
    if (answer.status < 200 || answer.status > 299)
      throw new Error(`resident notifier answered HTTP ${answer.status} ${answer.excerpt}`.trim());
  }
}
