import { hmacHeaders } from './hmac-signer';
import { OAuth2TokenClient } from './oauth2-token-client';
import type { RestAuthOptions } from './rest-auth.options';
import type { RestTransport } from './rest-transport';

export interface AuthTarget {
  method: string;
  url: URL;
  body: Buffer;
  signal: AbortSignal;
}

/** Adds credentials to one request to the department (same origin as baseUrl only). */
export interface RequestAuthenticator {
  headers(target: AuthTarget): Promise<Record<string, string>>;
  /**
   * After a 401 answer to a request carrying `used`: forgets that credential and says whether one
   * retry with a fresh one makes sense (only for renewable credentials such as OAuth2 tokens).
   */
  renewAfterUnauthorized(used: Record<string, string>): boolean;
}

const fixed = (headers: Record<string, string>): RequestAuthenticator => ({
  headers: async () => headers,
  renewAfterUnauthorized: () => false,
});

export function createAuthenticator(
  options: RestAuthOptions,
  deps: { transport: RestTransport; now: () => number },
): RequestAuthenticator {
  switch (options.type) {
    case 'none':
      return fixed({});
    case 'basic': {
      const pair = Buffer.from(`${options.username}:${options.password}`).toString('base64');
      return fixed({ Authorization: `Basic ${pair}` });
    }
    case 'bearer':
      return fixed({ Authorization: `Bearer ${options.token}` });
    case 'oauth2': {
      const client = new OAuth2TokenClient(options, deps.transport, deps.now);
      return {
        headers: async ({ signal }) => ({ Authorization: `Bearer ${await client.token(signal)}` }),
        renewAfterUnauthorized: (used) => {
          client.invalidate((used.Authorization ?? '').replace(/^Bearer /, ''));
          return true;
        },
      };
    }
    case 'hmac':
      return {
        headers: async (target) => hmacHeaders(options, target, deps.now()),
        // A fresh signature would be the same secret: a 401 is final.
        renewAfterUnauthorized: () => false,
      };
  }
}
