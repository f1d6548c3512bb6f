import type { DataSource } from 'typeorm';
import type { PersonalDataCipher } from '../common/crypto/personal-data-cipher';
import { scrubPersonalData } from '../common/masking';
import type { PlatformConfig } from '../config/model/platform-config';
import type { CanonicalCase } from '../gateway/intake/canonical-case';
import type { PlatformEventRow } from './platform-event-store';
import { PlatformEventType } from './platform-event-writer';
import { allowedHostsFor } from './platform-targets';
import type { ResidentNotice, ResidentNotifier } from './resident-notifier';
import { signWebhook } from './webhook-signature';
import type { WebhookTransport } from './webhook-transport';

/** What one attempt came to; errors are safe to store and log (no phone, no ID number). */
export type SendResult =
  | { kind: 'sent' }
  /** Nothing to send (a notice for a case without a phone): recorded as sent, with the reason. */
  | { kind: 'skipped'; note: string }
  | {
      kind: 'failed';
      error: string;
      /** The platform gave a wrong-request answer (3xx, 4xx other than 408/429): still retried, but said loudly. */
      refused?: boolean;
      /** Retrying cannot help (the platform is no longer configured for this event): dead-letter now. */
      permanent?: boolean;
      retryAfterMs?: number;
    };

type NoticePayload = Omit<ResidentNotice, 'eventId' | 'source' | 'phone'>;

/** Sends one platform event: a webhook to the platform, or a notice through the resident notifier. */
export class PlatformEventSender {
  constructor(
    private readonly platforms: ReadonlyMap<string, PlatformConfig>,
    private readonly transport: WebhookTransport,
    private readonly notifier: ResidentNotifier,
    private readonly cipher: PersonalDataCipher,
    private readonly db: DataSource,
  ) {}

  async send(event: PlatformEventRow): Promise<SendResult> {
    try {
      if (event.type === PlatformEventType.CaseStatusChanged) return await this.sendWebhook(event);
      if (event.type === PlatformEventType.ResidentNotice) return await this.sendNotice(event);
      return { kind: 'failed', permanent: true, error: `unknown event type ${event.type}` };
    } catch (error) {
      return { kind: 'failed', error: scrubPersonalData((error as Error).message || String(error)) };
    }
  }

  private async sendWebhook(event: PlatformEventRow): Promise<SendResult> {
    const platform = this.platforms.get(event.source);
    const webhook = platform?.webhook;
    if (!platform || !webhook)
      return { kind: 'failed', permanent: true, error: `platform ${event.source} has no webhook configured` };
    const payload = JSON.parse(event.payload) as Record<string, unknown>;
    const signed = signWebhook(event, payload, webhook);
    const answer = await this.transport.post({
      url: webhook.url,
      ...signed,
      timeoutMs: webhook.timeoutMs,
      allowedHosts: allowedHostsFor(webhook.url, platform),
      pool: `webhook:${platform.source}`,
    });
    if (answer.status >= 200 && answer.status <= 299) return { kind: 'sent' };
    const transient = answer.status === 408 || answer.status === 429 || answer.status >= 500;
    return {
      kind: 'failed',
      error:
        `HTTP ${answer.status}${answer.status >= 300 && answer.status < 400 ? ' (redirects are not followed)' : ''} ${answer.excerpt}`.trim(),
      refused: !transient,
      retryAfterMs: answer.retryAfterMs,
    };
  }

  /** The phone is read from the encrypted case now, so it never sits in platform_events or Redis. */
  private async sendNotice(event: PlatformEventRow): Promise<SendResult> {
    const [row] = await this.db.query<Array<{ payload: string }>>('SELECT payload FROM cases WHERE id = ?', [
      event.caseId,
    ]);
    if (!row) return { kind: 'skipped', note: 'the case no longer exists' };
    const document = JSON.parse(this.cipher.decrypt(row.payload)) as CanonicalCase;
    const phone = document.applicant?.phone?.trim();
    if (!phone) return { kind: 'skipped', note: 'the case has no phone number; nothing sent' };
    const notice = JSON.parse(event.payload) as NoticePayload;
    await this.notifier.notify({
      eventId: event.id,
      source: event.source,
      caseId: event.caseId,
      phone,
      serviceCode: notice.serviceCode,
      status: notice.status,
      results: notice.results,
      at: notice.at,
    });
    return { kind: 'sent' };
  }
}
