import { getHashes } from 'node:crypto';
import { ConfigError, type ConfigProblem } from '../../config/config-error';
import type { GatewayEnvironment } from '../../config/environment';
import { CallbackConfig, type CallbackAuthConfig } from '../../config/model/tracking-config';
import type { TongbanConfig } from '../../config/tongban-config';
import { normalizeFingerprint } from './callback-verifier';

/** Injection token of the departments that send status callbacks, by code. */
export const CALLBACK_DEPARTMENTS = Symbol('tongban.callback-departments');

export interface CallbackDepartment {
  code: string;
  /** The reverse mapping that reads the callback body. */
  statusMapping: string;
  auth: CallbackAuthConfig;
  maxBytes: number;
}

/**
 * The enabled departments with `tracking.callbacks`, checked once at start-up so that a callback
 * scheme that could never succeed (no secret, no certificate list, mTLS without TLS) stops the
 * start with every problem listed, instead of answering 401 to a department that did nothing wrong.
 */
export function callbackDepartments(
  config: TongbanConfig,
  env: Pick<GatewayEnvironment, 'role' | 'tls'>,
): ReadonlyMap<string, CallbackDepartment> {
  const problems: ConfigProblem[] = [];
  const out = new Map<string, CallbackDepartment>();
  for (const department of config.departments.values()) {
    const callbacks = department.tracking?.callbacks;
    if (!department.enabled || !callbacks) continue;
    const file = `departments/${department.code}.yaml`;
    const problem = (path: string, reason: string) =>
      problems.push({ file, path: `tracking.${path}`, reason });
    const { auth } = callbacks;
    const statusMapping = department.tracking.statusMapping;
    if (!statusMapping) problem('statusMapping', 'callbacks need a reverse mapping to read their body');
    if (auth.type === 'hmac') {
      if (!auth.secret) problem('callbacks.auth.secret', 'an HMAC secret is required');
      const algorithm = auth.algorithm ?? 'sha256';
      if (!getHashes().includes(algorithm))
        problem('callbacks.auth.algorithm', `this Node.js/OpenSSL build has no ${algorithm}`);
    } else {
      const fingerprints = auth.certificateFingerprints ?? [];
      if (fingerprints.length === 0)
        problem(
          'callbacks.auth.certificateFingerprints',
          'list the SHA-256 fingerprints of its client certificates',
        );
      for (const [i, fingerprint] of fingerprints.entries()) {
        if (!/^[0-9a-f]{64}$/.test(normalizeFingerprint(fingerprint)))
          problem(
            `callbacks.auth.certificateFingerprints[${i}]`,
            'not a SHA-256 fingerprint (64 hex digits)',
          );
      }
      // Workers serve no HTTP; only the processes that take callbacks need TLS.
      if (env.role !== 'worker' && !env.tls?.clientCaFile)
        problem(
          'callbacks.auth.type',
          'mtls needs TONGBAN_TLS_CERT, TONGBAN_TLS_KEY and TONGBAN_TLS_CLIENT_CA (client certificates)',
        );
    }
    out.set(department.code, {
      code: department.code,
      statusMapping: statusMapping ?? '',
      auth,
      maxBytes: callbacks.maxBytes ?? new CallbackConfig().maxBytes!,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
