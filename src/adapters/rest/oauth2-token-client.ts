import type { OAuth2AuthOptions } from './rest-auth.options';
import { TokenError } from './rest-errors';
import { departmentReason } from './rest-outcome';
import type { RestTransport } from './rest-transport';

interface CachedToken {
  value: string;
  /** When to fetch a new one: expiry minus the refresh skew. */
  refreshAt: number;
}

// The fetch is shared by concurrent deliveries, so it runs on its own clock, not one caller's signal.
const TOKEN_FETCH_TIMEOUT_MS = 30_000;

/**
 * OAuth2 client credentials with a cached token: one fetch at a time however many deliveries
 * wait, renewed `refreshSkewSeconds` before expiry (at most half the lifetime, so short-lived
 * tokens are still reused), dropped when the department answers 401 with it.
 */
export class OAuth2TokenClient {
  private cached?: CachedToken;
  private inflight?: Promise<CachedToken>;

  constructor(
    private readonly options: OAuth2AuthOptions,
    private readonly transport: RestTransport,
    private readonly now: () => number,
  ) {}

  async token(signal: AbortSignal): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.value;
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    const token = await untilAborted(this.inflight, signal);
    return token.value;
  }

  /** Forgets `value` if it is still the cached token (a concurrent refresh may have replaced it). */
  invalidate(value: string): void {
    if (this.cached?.value === value) this.cached = undefined;
  }

  private async fetch(): Promise<CachedToken> {
    const { clientId, clientSecret, scope, clientAuth } = this.options;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) form.set('scope', scope);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (clientAuth === 'basic') {
      // RFC 6749 §2.3.1: id and secret are form-encoded before the Basic encoding.
      const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
      headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }
    const answer = await this.transport
      .send({
        method: 'POST',
        url: new URL(this.options.tokenUrl),
        headers,
        body: Buffer.from(form.toString()),
        signal: AbortSignal.timeout(TOKEN_FETCH_TIMEOUT_MS),
      })
      .catch((error: unknown) => {
        throw new TokenError(`token endpoint unreachable: ${(error as Error).message}`, undefined, {
          cause: error,
        });
      });
    if (answer.status < 200 || answer.status > 299)
      throw new TokenError(`token endpoint answered ${departmentReason(answer)}`, answer.status);
    let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(answer.body.toString('utf8')) as typeof body;
    } catch {
      throw new TokenError('token endpoint answered with invalid JSON', answer.status);
    }
    if (typeof body.access_token !== 'string' || !body.access_token)
      throw new TokenError('token endpoint answer has no access_token', answer.status);
    const type = body.token_type ?? 'Bearer';
    if (typeof type !== 'string' || type.toLowerCase() !== 'bearer')
      throw new TokenError(`unsupported token_type ${JSON.stringify(type)}`, answer.status);
    const expiresIn = Number(body.expires_in ?? this.options.defaultExpiresInSeconds);
    const lifetime =
      Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : this.options.defaultExpiresInSeconds;
    const early = Math.min(this.options.refreshSkewSeconds, lifetime / 2);
    this.cached = { value: body.access_token, refreshAt: this.now() + (lifetime - early) * 1000 };
    return this.cached;
  }
}

/** Waits for a shared promise, but lets one caller give up when its own signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  const aborted = () => new TokenError('aborted while waiting for the OAuth2 token');
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
