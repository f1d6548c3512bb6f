import { ProblemException } from '../common/problem/problem';
import type { ApiClient } from '../gateway/auth/api-client';
import type { ApiKeyRegistry } from '../gateway/auth/api-key-registry';

/** Sent with every refusal, so that a browser shows its login prompt (any user name, the key as password). */
export const ADMIN_AUTH_CHALLENGE = 'Basic realm="Tongban admin", charset="UTF-8"';

export type AdminAuthentication = { ok: true; client: ApiClient } | { ok: false; status: 401 | 403 };

/**
 * The admin pages outside `/api/v1` (Bull Board, the ops dashboard) take an `admin` API key as
 * `Authorization: Bearer <key>`, or as the password of HTTP Basic, which is what a browser can send.
 */
export function authenticateAdmin(header: string | undefined, keys: ApiKeyRegistry): AdminAuthentication {
  const key = presentedKey(header);
  const client = key ? keys.resolve(key) : undefined;
  if (!client) return { ok: false, status: 401 };
  if (!client.scopes.has('admin')) return { ok: false, status: 403 };
  return { ok: true, client };
}

/** The problem to answer a refused request with. */
export function adminAuthProblem(status: 401 | 403): ProblemException {
  return status === 401
    ? ProblemException.unauthorized(
        'An admin API key is required (Bearer, or HTTP Basic with the key as password).',
      )
    : ProblemException.forbidden('This API key lacks the admin scope.');
}

function presentedKey(header: string | undefined): string | undefined {
  if (!header) return undefined;
  if (header.startsWith('Bearer ')) return header.slice(7).trim();
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}
