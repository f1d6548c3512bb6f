import { createHash, randomFillSync } from 'node:crypto';
import type { SoapSecurityOptions } from './soap-adapter.options';
import { escapeXmlText } from './xml-escape';

const TOKEN_PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0';
const BASE64_BINARY =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const NONCE_BYTES = 16;
const POOL_NONCES = 256;

/** node-soap's date format: seconds, UTC, `Z`. */
function wsuDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * Nonces from one pooled random buffer: crypto.randomBytes(16) per call is a system call each time
 * and showed up in the client profile. Same randomness source (the CSPRNG), refilled every 256 nonces.
 */
class NoncePool {
  private readonly pool = Buffer.alloc(NONCE_BYTES * POOL_NONCES);
  private next = POOL_NONCES;

  take(): Buffer {
    if (this.next === POOL_NONCES) {
      randomFillSync(this.pool);
      this.next = 0;
    }
    const start = this.next++ * NONCE_BYTES;
    return Buffer.from(this.pool.subarray(start, start + NONCE_BYTES));
  }
}

/**
 * The WS-Security UsernameToken header node-soap's `WSSecurity` writes for our options
 * (passwordType, timestamp, mustUnderstand; nonce with PasswordDigest only; token Created always),
 * character for character, so the fast path sends what node-soap would. The test
 * `soap-fast-envelope.spec.ts` holds it to WSSecurity's output.
 */
export class UsernameTokenHeader {
  private readonly nonces = new NoncePool();
  private readonly opening: string;
  private readonly username: string;

  constructor(private readonly security: SoapSecurityOptions) {
    const mustUnderstand = security.mustUnderstand ? 'soap:mustUnderstand="1" ' : '';
    this.opening = `<wsse:Security ${mustUnderstand}xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}">`;
    this.username = `<wsse:Username>${escapeXmlText(security.username ?? '')}</wsse:Username>`;
  }

  toXML(now = new Date()): string {
    const created = wsuDate(now);
    const timestamp = this.security.timestamp
      ? `<wsu:Timestamp wsu:Id="Timestamp-${created}"><wsu:Created>${created}</wsu:Created>` +
        `<wsu:Expires>${wsuDate(new Date(now.getTime() + 600_000))}</wsu:Expires></wsu:Timestamp>`
      : '';
    return (
      `${this.opening}${timestamp}` +
      `<wsse:UsernameToken xmlns:wsu="${WSU}" wsu:Id="SecurityToken-${created}">${this.username}` +
      `${this.password(created)}<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
    );
  }

  private password(created: string): string {
    const password = this.security.password ?? '';
    if (this.security.passwordType === 'PasswordText')
      return `<wsse:Password Type="${TOKEN_PROFILE}#PasswordText">${escapeXmlText(password)}</wsse:Password>`;
    const nonce = this.nonces.take();
    // Base64(SHA-1(nonce bytes + created + password)), as node-soap's passwordDigest computes it.
    const digest = createHash('sha1').update(nonce).update(created).update(password).digest('base64');
    return (
      `<wsse:Password Type="${TOKEN_PROFILE}#PasswordDigest">${digest}</wsse:Password>` +
      `<wsse:Nonce EncodingType="${BASE64_BINARY}">${nonce.toString('base64')}</wsse:Nonce>`
    );
  }
}
