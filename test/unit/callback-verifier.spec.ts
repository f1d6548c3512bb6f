import { createHmac } from 'node:crypto';
import { CallbackAuthConfig } from '../../src/config/model/tracking-config';
import {
  decodeSignature,
  normalizeFingerprint,
  verifyCallback,
  type CallbackCredentials,
} from '../../src/gateway/callbacks/callback-verifier';

const SECRET = 'callback-secret';
const BODY = Buffer.from('{"application_no":"MZ20260101000001","status":"审核中"}', 'utf8');
const NOW = Date.UTC(2026, 0, 1, 8, 0, 0);
const NOW_S = String(NOW / 1000);

/** The config as the loader builds it: class defaults, then the department's YAML. */
const auth = (fields: Partial<CallbackAuthConfig>): CallbackAuthConfig =>
  Object.assign(new CallbackAuthConfig(), { type: 'hmac', secret: SECRET }, fields);

const request = (
  headers: Record<string, string>,
  body = BODY,
  clientCertificate?: CallbackCredentials['clientCertificate'],
): CallbackCredentials => {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { body, header: (name) => lower[name.toLowerCase()], clientCertificate };
};

const hmac = (algorithm: string, content: Buffer | string, secret = SECRET) =>
  createHmac(algorithm, secret).update(content).digest();

describe('callback signature verifier', () => {
  describe('HMAC over the body', () => {
    it('accepts a hex signature in the configured header, any case of name and digits', () => {
      const config = auth({ header: 'X-Body-Signature' });
      const hex = hmac('sha256', BODY).toString('hex');
      expect(verifyCallback(config, request({ 'x-body-signature': hex }), NOW)).toEqual({ ok: true });
      expect(verifyCallback(config, request({ 'X-Body-Signature': hex.toUpperCase() }), NOW)).toEqual({
        ok: true,
      });
    });

    it('refuses a missing header, another header, and a signature of other bytes', () => {
      const config = auth({});
      const hex = hmac('sha256', BODY).toString('hex');
      expect(verifyCallback(config, request({}), NOW)).toEqual({
        ok: false,
        reason: 'the X-Signature header is missing',
      });
      expect(verifyCallback(config, request({ 'X-Other': hex }), NOW).ok).toBe(false);
      // One byte of the body changed: the exact bytes are what is signed (not re-serialized JSON).
      const reordered = Buffer.from(BODY.toString('utf8').replace('{"application_no"', '{ "application_no"'));
      expect(verifyCallback(config, request({ 'X-Signature': hex }, reordered), NOW)).toEqual({
        ok: false,
        reason: 'the signature does not match',
      });
      expect(
        verifyCallback(config, request({ 'X-Signature': hmac('sha256', BODY, 'other').toString('hex') }), NOW)
          .ok,
      ).toBe(false);
    });

    it('compares equal-length digests byte by byte and refuses other lengths without throwing', () => {
      const config = auth({});
      const good = hmac('sha256', BODY);
      const flipped = Buffer.from(good);
      flipped[flipped.length - 1] ^= 0x01;
      expect(verifyCallback(config, request({ 'X-Signature': flipped.toString('hex') }), NOW).ok).toBe(false);
      // timingSafeEqual throws on unequal lengths; the verifier must refuse instead.
      for (const wrongLength of [
        good.subarray(0, 16),
        Buffer.concat([good, Buffer.from([0])]),
        Buffer.alloc(0),
      ]) {
        expect(() =>
          verifyCallback(config, request({ 'X-Signature': wrongLength.toString('hex') }), NOW),
        ).not.toThrow();
        expect(verifyCallback(config, request({ 'X-Signature': wrongLength.toString('hex') }), NOW).ok).toBe(
          false,
        );
      }
      // Not hex at all (Buffer.from would silently drop the bad digits).
      expect(
        verifyCallback(config, request({ 'X-Signature': `${good.toString('hex').slice(0, 62)}zz` }), NOW).ok,
      ).toBe(false);
    });

    it('supports sha512 and sm3', () => {
      for (const algorithm of ['sha512', 'sm3'] as const) {
        const config = auth({ algorithm });
        const hex = hmac(algorithm, BODY).toString('hex');
        expect(verifyCallback(config, request({ 'X-Signature': hex }), NOW)).toEqual({ ok: true });
        // A sha256 signature is the wrong algorithm (and length for sha512).
        const sha256 = hmac('sha256', BODY).toString('hex');
        expect(verifyCallback(config, request({ 'X-Signature': sha256 }), NOW).ok).toBe(false);
      }
    });

    it('reads base64 (standard or URL-safe) after a prefix, and requires the prefix', () => {
      const config = auth({ header: 'X-Hub-Signature', encoding: 'base64', prefix: 'sha256=' });
      const digest = hmac('sha256', BODY);
      const standard = digest.toString('base64');
      const urlSafe = digest.toString('base64url');
      expect(verifyCallback(config, request({ 'X-Hub-Signature': `sha256=${standard}` }), NOW)).toEqual({
        ok: true,
      });
      expect(verifyCallback(config, request({ 'X-Hub-Signature': `SHA256=${urlSafe}` }), NOW)).toEqual({
        ok: true,
      });
      expect(verifyCallback(config, request({ 'X-Hub-Signature': standard }), NOW).ok).toBe(false);
      expect(verifyCallback(config, request({ 'X-Hub-Signature': `sha512=${standard}` }), NOW).ok).toBe(
        false,
      );
      // A hex digest where base64 is configured is not the same bytes.
      expect(
        verifyCallback(config, request({ 'X-Hub-Signature': `sha256=${digest.toString('hex')}` }), NOW).ok,
      ).toBe(false);
    });

    it('decodes only well-formed signatures', () => {
      expect(decodeSignature('abc', { encoding: 'hex' })).toBeUndefined();
      expect(decodeSignature('0aFF', { encoding: 'hex' })).toEqual(Buffer.from([0x0a, 0xff]));
      expect(decodeSignature('a b', { encoding: 'base64' })).toBeUndefined();
      expect(decodeSignature('v1=AAE=', { encoding: 'base64', prefix: 'v1=' })).toEqual(Buffer.from([0, 1]));
    });
  });

  describe('HMAC over timestamp and body, with a replay window', () => {
    const config = auth({ signed: 'timestamp+body', replayWindowSeconds: 300 });
    const signed = (timestamp: string, body = BODY) =>
      request(
        {
          'X-Timestamp': timestamp,
          'X-Signature': hmac('sha256', Buffer.concat([Buffer.from(`${timestamp}\n`), body])).toString('hex'),
        },
        body,
      );

    it('accepts a fresh timestamp in seconds or milliseconds, up to the window edge both ways', () => {
      expect(verifyCallback(config, signed(NOW_S), NOW)).toEqual({ ok: true });
      expect(verifyCallback(config, signed(String(NOW + 1234)), NOW)).toEqual({ ok: true });
      expect(verifyCallback(config, signed(String(NOW / 1000 - 300)), NOW)).toEqual({ ok: true });
      expect(verifyCallback(config, signed(String(NOW / 1000 + 300)), NOW)).toEqual({ ok: true });
    });

    it('refuses a stale or future timestamp even when correctly signed', () => {
      expect(verifyCallback(config, signed(String(NOW / 1000 - 301)), NOW)).toEqual({
        ok: false,
        reason: 'the timestamp is outside the ±300 s replay window',
      });
      expect(verifyCallback(config, signed(String(NOW / 1000 + 301)), NOW).ok).toBe(false);
      expect(verifyCallback(config, signed('2026-01-01T08:00:00Z'), NOW)).toEqual({
        ok: false,
        reason: 'the timestamp is not Unix seconds or milliseconds',
      });
    });

    it('binds the timestamp into the signature: changing it, or signing the body alone, fails', () => {
      const fresh = signed(NOW_S);
      const moved = request(
        { 'X-Timestamp': String(NOW / 1000 + 1), 'X-Signature': fresh.header('X-Signature')! },
        BODY,
      );
      expect(verifyCallback(config, moved, NOW)).toEqual({
        ok: false,
        reason: 'the signature does not match',
      });
      const bodyOnly = request({ 'X-Timestamp': NOW_S, 'X-Signature': hmac('sha256', BODY).toString('hex') });
      expect(verifyCallback(config, bodyOnly, NOW).ok).toBe(false);
      expect(verifyCallback(config, request({ 'X-Signature': fresh.header('X-Signature')! }), NOW)).toEqual({
        ok: false,
        reason: 'the X-Timestamp header is missing',
      });
    });

    it('uses the configured timestamp header and window', () => {
      const custom = auth({
        signed: 'timestamp+body',
        timestampHeader: 'X-Sent-At',
        replayWindowSeconds: 10,
      });
      const at = String(NOW / 1000 - 11);
      const presented = request({
        'X-Sent-At': at,
        'X-Signature': hmac('sha256', Buffer.concat([Buffer.from(`${at}\n`), BODY])).toString('hex'),
      });
      expect(verifyCallback(custom, presented, NOW)).toEqual({
        ok: false,
        reason: 'the timestamp is outside the ±10 s replay window',
      });
      expect(verifyCallback(custom, presented, NOW - 2_000)).toEqual({ ok: true });
    });
  });

  describe('client certificate (mTLS)', () => {
    const fingerprint = 'AB:'.repeat(31) + 'CD';
    const config = auth({
      type: 'mtls',
      secret: undefined,
      certificateFingerprints: [fingerprint.toLowerCase()],
    });

    it('accepts a CA-verified certificate whose fingerprint is listed, in any notation', () => {
      expect(
        verifyCallback(config, request({}, BODY, { authorized: true, fingerprint256: fingerprint }), NOW),
      ).toEqual({
        ok: true,
      });
      expect(normalizeFingerprint(fingerprint)).toBe('ab'.repeat(31) + 'cd');
    });

    it('refuses no certificate, one not issued by the trusted CA, and one not listed', () => {
      expect(verifyCallback(config, request({}), NOW)).toEqual({
        ok: false,
        reason: 'a client certificate is required',
      });
      expect(
        verifyCallback(config, request({}, BODY, { authorized: false, fingerprint256: fingerprint }), NOW),
      ).toEqual({ ok: false, reason: 'the client certificate is not issued by a trusted CA' });
      const other = 'EF:'.repeat(31) + '01';
      expect(
        verifyCallback(config, request({}, BODY, { authorized: true, fingerprint256: other }), NOW).ok,
      ).toBe(false);
      // A valid HMAC does not stand in for the certificate.
      const signature = hmac('sha256', BODY).toString('hex');
      expect(verifyCallback(config, request({ 'X-Signature': signature }), NOW).ok).toBe(false);
    });
  });
});
