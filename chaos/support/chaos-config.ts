import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './options';

export const EXAMPLE_CONFIG_DIR = join(REPO_ROOT, 'config');

export interface DepartmentSpec {
  /** CIVIL (REST) or HRSS (SOAP). */
  code: 'CIVIL' | 'HRSS';
  /** CIVIL: base URL; HRSS: the SOAP 1.1 endpoint URL. */
  url: string;
  /** The `delivery:` block's body (indented two spaces). */
  delivery: string;
  /** The `calendar:` block's body, if any. */
  calendar?: string;
  timeZone?: string;
}

export interface ChaosConfigOptions {
  departments: DepartmentSpec[];
  /** Where the platform's status webhooks go (a receiver of the suite's own). */
  webhookUrl: string;
}

const ROUTES: Record<DepartmentSpec['code'], string> = {
  CIVIL: '  - service: CIVIL-DIBAO\n    targets: [{ department: CIVIL, mapping: civil-dibao }]',
  HRSS: '  - service: HRSS-UNEMP-REG\n    targets: [{ department: HRSS, mapping: hrss-unemployment }]',
};

/** Delivery settings as in config/departments, with the knobs a scenario turns. */
export function deliveryBlock(settings: {
  concurrency: number;
  timeoutMs: number;
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  failureThreshold: number;
  cooldownMs: number;
  maxCooldownMs: number;
  rate?: { max: number; durationMs: number };
}): string {
  return `
  concurrency: ${settings.concurrency}
  timeoutMs: ${settings.timeoutMs}
${settings.rate ? `  rateLimit: { max: ${settings.rate.max}, durationMs: ${settings.rate.durationMs} }\n` : ''}  retry: { attempts: ${settings.attempts}, baseDelayMs: ${settings.baseDelayMs}, maxDelayMs: ${settings.maxDelayMs} }
  circuitBreaker: { failureThreshold: ${settings.failureThreshold}, cooldownMs: ${settings.cooldownMs}, maxCooldownMs: ${settings.maxCooldownMs} }`;
}

/**
 * A copy of the example configuration with only the given departments, pointed at the suite's
 * simulators (or fault proxies), with the scenario's delivery settings and calendar.
 */
export function writeChaosConfig(dir: string, options: ChaosConfigOptions): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(EXAMPLE_CONFIG_DIR, dir, { recursive: true });
  for (const code of ['HRSS', 'CIVIL', 'HEALTH', 'DPF']) rmSync(join(dir, 'departments', `${code}.yaml`));
  for (const d of options.departments) {
    const host = new URL(d.url).host;
    let yaml = readFileSync(join(EXAMPLE_CONFIG_DIR, 'departments', `${d.code}.yaml`), 'utf8')
      .replace(/\$\{CIVIL_BASE_URL:-[^}]*\}/g, d.url)
      .replace(/\$\{HRSS_ENDPOINT:-[^}]*\}/g, d.url)
      .replace(/\$\{CIVIL_ALLOWED_HOST:-[^}]*\}/g, host)
      .replace(/allowedHosts: \[[^\]]*\]/, `allowedHosts: ['${host}']`)
      .replace(/\ndelivery:[\s\S]*?(?=\n[a-z#]|$)/, `\ndelivery:${d.delivery}`);
    if (d.timeZone) yaml = yaml.replace(/\ntimeZone: .*/, '') + `\ntimeZone: ${d.timeZone}\n`;
    if (d.calendar) yaml += `\ncalendar:${d.calendar}\n`;
    writeFileSync(join(dir, 'departments', `${d.code}.yaml`), yaml);
  }
  writeFileSync(
    join(dir, 'routes.yaml'),
    `routes:\n${options.departments.map((d) => ROUTES[d.code]).join('\n')}\n`,
  );
  const platforms = readFileSync(join(EXAMPLE_CONFIG_DIR, 'platforms.yaml'), 'utf8').replace(
    /\$\{DEMO_PLATFORM_WEBHOOK_URL:-[^}]*\}/,
    options.webhookUrl,
  );
  writeFileSync(join(dir, 'platforms.yaml'), platforms);
  return dir;
}
