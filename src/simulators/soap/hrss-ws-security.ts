import { timingSafeEqual } from 'node:crypto';
import { passwordDigest } from 'soap';

const PASSWORD_TEXT = '#PasswordText';
const PASSWORD_DIGEST = '#PasswordDigest';

export interface UsernameTokenCredentials {
  username: string;
  password: string;
  /** How far wsu:Created may be from now (PasswordDigest), default 5 minutes. */
  maxSkewMs?: number;
}

/** node-soap parses `<wsse:Password Type="…">x</…>` as `{ attributes: { Type }, $value: 'x' }`. */
function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object') {
    const value = (node as { $value?: unknown }).$value;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

function passwordType(node: unknown): string {
  if (!node || typeof node !== 'object') return PASSWORD_TEXT;
  const attributes = (node as { attributes?: Record<string, unknown> }).attributes ?? {};
  const type = attributes.Type ?? attributes.type;
  return typeof type === 'string' ? type : PASSWORD_TEXT;
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks a WS-Security UsernameToken (PasswordText or PasswordDigest) the way the department's
 * gateway does; returns the reason it is refused, or undefined when it is accepted. Nonces are
 * remembered for the skew window so that a captured digest cannot be replayed.
 */
export class UsernameTokenVerifier {
  private readonly seenNonces = new Map<string, number>();

  constructor(private readonly credentials: UsernameTokenCredentials) {}

  verify(security: unknown, now = Date.now()): string | undefined {
    const token = (security as { UsernameToken?: Record<string, unknown> } | undefined)?.UsernameToken;
    if (!token) return 'missing wsse:UsernameToken';
    if (text(token.Username) !== this.credentials.username) return 'unknown user';
    const password = text(token.Password) ?? '';
    const type = passwordType(token.Password);
    if (type.endsWith(PASSWORD_TEXT)) {
      return same(password, this.credentials.password) ? undefined : 'wrong password';
    }
    if (!type.endsWith(PASSWORD_DIGEST)) return `unsupported password type ${type}`;
    const nonce = text(token.Nonce);
    const created = text(token.Created);
    if (!nonce || !created) return 'PasswordDigest needs Nonce and Created';
    const skew = Math.abs(now - Date.parse(created));
    const maxSkew = this.credentials.maxSkewMs ?? 300_000;
    if (!(skew <= maxSkew)) return 'Created outside the allowed clock skew';
    if (!same(password, passwordDigest(nonce, created, this.credentials.password))) return 'wrong password';
    if (this.seenNonces.has(nonce)) return 'nonce replayed';
    this.remember(nonce, now, maxSkew);
    return undefined;
  }

  /**
   * Forgets nonces older than twice the skew window. The map keeps insertion order, which is time
   * order, so only the oldest entries are looked at: constant work per call, however many calls
   * the window holds (a full scan per call once 10,000 were kept made the simulator slow down as
   * a bench run went on).
   */
  private remember(nonce: string, now: number, maxSkew: number): void {
    this.seenNonces.set(nonce, now);
    for (const [key, at] of this.seenNonces) {
      if (now - at <= 2 * maxSkew) break;
      this.seenNonces.delete(key);
    }
  }
}
