import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_CONFIG_DIR } from './test-gateway';

export interface RestDepartmentSpec {
  code: 'CIVIL' | 'HEALTH';
  baseUrl: string;
  /** host:port the department may be reached at (defaults to the baseUrl's). */
  allowedHost?: string;
  delivery?: string;
  calendar?: string;
  timeZone?: string;
}

/** Fast retries and a quick breaker, so fault scenarios run in seconds. */
export const FAST_DELIVERY = `
  concurrency: 4
  timeoutMs: 1500
  retry: { attempts: 4, baseDelayMs: 50, maxDelayMs: 200 }
  circuitBreaker: { failureThreshold: 3, cooldownMs: 400, maxCooldownMs: 800 }`;

/**
 * A copy of the example configuration with only the REST departments given, pointed at local
 * simulators. Removed with `dispose()`.
 */
export function restDepartmentsConfig(departments: RestDepartmentSpec[]): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-engine-config-'));
  cpSync(EXAMPLE_CONFIG_DIR, dir, { recursive: true });
  for (const code of ['HRSS', 'CIVIL', 'HEALTH', 'DPF']) rmSync(join(dir, 'departments', `${code}.yaml`));
  // No platform webhooks unless a test writes its own platforms.yaml (nothing listens on the demo's).
  rmSync(join(dir, 'platforms.yaml'), { force: true });
  const routes: string[] = [];
  for (const d of departments) {
    const original = join(EXAMPLE_CONFIG_DIR, 'departments', `${d.code}.yaml`);
    const host = d.allowedHost ?? new URL(d.baseUrl).host;
    const yaml = readFileSync(original, 'utf8')
      .replace(/\$\{(CIVIL|HEALTH)_BASE_URL:-[^}]*\}/g, d.baseUrl)
      .replace(/\$\{CIVIL_ALLOWED_HOST:-[^}]*\}/g, host)
      .replace(/allowedHosts: \[[^\]]*\]/, `allowedHosts: ['${host}']`)
      .replace(/\ndelivery:[\s\S]*?(?=\n[a-z#]|$)/, `\ndelivery:${d.delivery ?? FAST_DELIVERY}`);
    writeFileSync(
      join(dir, 'departments', `${d.code}.yaml`),
      yaml +
        (d.timeZone ? `\ntimeZone: ${d.timeZone}\n` : '') +
        (d.calendar ? `\ncalendar:${d.calendar}\n` : ''),
    );
    routes.push(
      d.code === 'CIVIL'
        ? '  - service: CIVIL-DIBAO\n    targets: [{ department: CIVIL, mapping: civil-dibao }]'
        : '  - service: HEALTH-BIRTH-REG\n    targets: [{ department: HEALTH, mapping: health-birth }]',
    );
  }
  writeFileSync(join(dir, 'routes.yaml'), `routes:\n${routes.join('\n')}\n`);
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
