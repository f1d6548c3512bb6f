import { join } from 'node:path';
import { loadConfig } from '../../src/config/config-loader';
import { allowedHostsFor } from '../../src/notifications/platform-targets';
import {
  signWebhook,
  verifyWebhookSignature,
  webhookSignature,
  WebhookHeader,
} from '../../src/notifications/webhook-signature';

const SECRET = 'demo-webhook-secret';
const BODY = '{"event":"case.status_changed","eventId":"7"}';

describe('webhook signature', () => {
  // Vectors from `printf '%s' "1700000000.$BODY" | openssl dgst -sha256|-sm3 -hmac "$SECRET"`.
  it('is HMAC(secret, "{timestamp}.{body}") in hex, prefixed by the algorithm', () => {
    expect(webhookSignature(SECRET, 'sha256', 1700000000, BODY)).toBe(
      'sha256=0b429b07cf379b293fe420e2e08e8ce015350df21d8ca5bf918a6784c93bc38a',
    );
    expect(webhookSignature(SECRET, 'sm3', '1700000000', Buffer.from(BODY))).toBe(
      'sm3=b50c06dfa50cb87daecfb291b7b680f127eea7d92e9e84b64a386abc14ac1aaa',
    );
  });

  it('signs the payload plus eventId with the documented headers', () => {
    const now = 1_700_000_000_500;
    const signed = signWebhook(
      { id: '7', type: 'case.status_changed' },
      { event: 'case.status_changed' },
      { secret: SECRET, algorithm: 'sha256' },
      now,
    );
    expect(signed.body).toBe(BODY);
    expect(signed.headers).toMatchObject({
      [WebhookHeader.Event]: 'case.status_changed',
      [WebhookHeader.EventId]: '7',
      [WebhookHeader.Timestamp]: '1700000000',
      [WebhookHeader.Signature]: 'sha256=0b429b07cf379b293fe420e2e08e8ce015350df21d8ca5bf918a6784c93bc38a',
    });
  });

  it('verifies the raw body and refuses tampering, stale timestamps and another algorithm', () => {
    const now = 1_700_000_030_000;
    const signature = webhookSignature(SECRET, 'sha256', 1700000000, BODY);
    const base = { secret: SECRET, signature, timestamp: '1700000000', body: BODY, now };
    expect(verifyWebhookSignature(base)).toBe(true);
    expect(verifyWebhookSignature({ ...base, algorithm: 'sha256' })).toBe(true);
    expect(verifyWebhookSignature({ ...base, algorithm: 'sm3' })).toBe(false);
    expect(verifyWebhookSignature({ ...base, body: BODY.replace('7', '8') })).toBe(false);
    expect(verifyWebhookSignature({ ...base, secret: 'other' })).toBe(false);
    expect(verifyWebhookSignature({ ...base, timestamp: '1700000001' })).toBe(false);
    expect(verifyWebhookSignature({ ...base, now: now + 600_000 })).toBe(false);
    expect(verifyWebhookSignature({ ...base, signature: undefined })).toBe(false);
    expect(verifyWebhookSignature({ ...base, signature: 'md5=00' })).toBe(false);
  });
});

describe('platforms.yaml of the demo', () => {
  it('loads the demo platform: signed webhook to the demo receiver, log notices', () => {
    const config = loadConfig(join(__dirname, '../../config'), { env: {} });
    const demo = config.platforms.get('demo-platform');
    expect(demo).toMatchObject({
      residentNotifier: 'log',
      webhook: {
        url: 'http://127.0.0.1:18109/tongban/webhooks',
        secret: 'demo-webhook-secret',
        algorithm: 'sha256',
        attempts: 10,
      },
    });
    expect(allowedHostsFor(demo!.webhook!.url, demo!)).toEqual(['127.0.0.1:18109']);
  });

  it('allows only the URL host:port by default, the configured patterns otherwise', () => {
    const platform = { source: 'p', residentNotifier: 'none' as const };
    expect(allowedHostsFor('https://hook.example.cn/x', platform)).toEqual(['hook.example.cn:443']);
    expect(allowedHostsFor('http://[::1]:8080/x', platform)).toEqual(['[::1]:8080']);
    const listed = {
      ...platform,
      webhook: {
        url: '',
        secret: '',
        algorithm: 'sha256' as const,
        timeoutMs: 1,
        attempts: 1,
        baseDelayMs: 10,
        maxDelayMs: 10,
        allowedHosts: ['10.0.0.0/8:443'],
      },
    };
    expect(allowedHostsFor('https://hook.example.cn/x', listed)).toEqual(['10.0.0.0/8:443']);
  });
});
