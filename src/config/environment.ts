import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export type ProcessRole = 'api' | 'worker' | 'all';

/** Settings an operator sets per deployment, from the environment; everything else lives in config/. */
export interface GatewayEnvironment {
  role: ProcessRole;
  configDir: string;
  dataDir: string;
  host: string;
  port: number;
  databaseUrl?: string;
  redisUrl?: string;
  queuePrefix: string;
  bodyLimitBytes: number;
  logLevel: string;
  /** API keys given in the environment, in addition to config/api-keys.yaml (JSON array). */
  apiKeysJson?: string;
  microservice: boolean;
  /** How often the reconciler compares open deliveries in MySQL with the jobs in Redis. */
  reconcileIntervalMs: number;
  /** Deliveries younger than this are left to the normal flow. */
  reconcileGraceMs: number;
  /** Where alerts are POSTed (JSON), besides the log. */
  alertWebhookUrl?: string;
  alertIntervalMs: number;
  /** How often open cases past their due time are marked overdue (TONGBAN_OVERDUE_INTERVAL_MS). */
  overdueIntervalMs: number;
  /** HTTPS instead of HTTP, from PEM files; a client CA also requests client certificates (mTLS callbacks). */
  tls?: TlsFiles;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** CA bundle that client certificates must chain to; API-key clients without a certificate still work. */
  clientCaFile?: string;
}

export class EnvironmentError extends Error {}

const ROLES: readonly ProcessRole[] = ['api', 'worker', 'all'];

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): GatewayEnvironment {
  const problems: string[] = [];
  const role = (env.TONGBAN_ROLE ?? 'all') as ProcessRole;
  if (!ROLES.includes(role)) problems.push(`TONGBAN_ROLE must be one of ${ROLES.join(', ')}, got "${role}"`);
  const port = integer(env, 'TONGBAN_PORT', 3000, 0, 65535, problems);
  const bodyLimitBytes = integer(
    env,
    'TONGBAN_BODY_LIMIT',
    4 * 1024 * 1024,
    1024,
    64 * 1024 * 1024,
    problems,
  );
  const reconcileIntervalMs = integer(env, 'TONGBAN_RECONCILE_INTERVAL_MS', 15_000, 100, 3_600_000, problems);
  const reconcileGraceMs = integer(env, 'TONGBAN_RECONCILE_GRACE_MS', 30_000, 0, 3_600_000, problems);
  const alertIntervalMs = integer(env, 'TONGBAN_ALERT_INTERVAL_MS', 30_000, 100, 3_600_000, problems);
  const overdueIntervalMs = integer(env, 'TONGBAN_OVERDUE_INTERVAL_MS', 60_000, 100, 86_400_000, problems);
  const tls = tlsFiles(env, problems);
  if (problems.length > 0) throw new EnvironmentError(`Invalid environment:\n  - ${problems.join('\n  - ')}`);
  return {
    role,
    configDir: resolve(env.TONGBAN_CONFIG_DIR ?? 'config'),
    dataDir: resolve(env.TONGBAN_DATA_DIR ?? '.tongban'),
    host: env.TONGBAN_HOST ?? '127.0.0.1',
    port,
    databaseUrl: env.TONGBAN_DATABASE_URL || undefined,
    redisUrl: env.TONGBAN_REDIS_URL || undefined,
    queuePrefix: env.TONGBAN_QUEUE_PREFIX ?? 'tongban',
    bodyLimitBytes,
    logLevel: env.TONGBAN_LOG_LEVEL ?? 'info',
    apiKeysJson: env.TONGBAN_API_KEYS || undefined,
    microservice: (env.TONGBAN_MICROSERVICE ?? 'on') !== 'off',
    reconcileIntervalMs,
    reconcileGraceMs,
    alertWebhookUrl: env.TONGBAN_ALERT_WEBHOOK_URL || undefined,
    alertIntervalMs,
    overdueIntervalMs,
    tls,
  };
}

function tlsFiles(env: NodeJS.ProcessEnv, problems: string[]): TlsFiles | undefined {
  const certFile = env.TONGBAN_TLS_CERT || undefined;
  const keyFile = env.TONGBAN_TLS_KEY || undefined;
  const clientCaFile = env.TONGBAN_TLS_CLIENT_CA || undefined;
  if (!certFile && !keyFile && !clientCaFile) return undefined;
  if (!certFile || !keyFile) {
    problems.push('TONGBAN_TLS_CERT and TONGBAN_TLS_KEY go together (TONGBAN_TLS_CLIENT_CA needs both)');
    return undefined;
  }
  for (const [name, file] of [
    ['TONGBAN_TLS_CERT', certFile],
    ['TONGBAN_TLS_KEY', keyFile],
    ['TONGBAN_TLS_CLIENT_CA', clientCaFile],
  ] as const) {
    if (file && !existsSync(file)) problems.push(`${name}: no file ${file}`);
  }
  return {
    certFile: resolve(certFile),
    keyFile: resolve(keyFile),
    clientCaFile: clientCaFile && resolve(clientCaFile),
  };
}

/** An integer variable within bounds, or the fallback; a bad value is added to `problems`. */
export function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}
