import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from './bench-options';

const SHIPPED = join(REPO_ROOT, 'config');

/** The parts of a department file the bench changes; the rest is kept as shipped. */
interface DepartmentYaml {
  adapter: { options: { baseUrl?: string; endpoint?: string; auth?: { tokenUrl?: string } } };
  network?: { allowedHosts: string[] };
  [key: string]: unknown;
}

function shippedDepartment(code: string): DepartmentYaml {
  return parse(readFileSync(join(SHIPPED, 'departments', `${code}.yaml`), 'utf8')) as DepartmentYaml;
}

/**
 * The shipped configuration with two departments, CIVIL (REST) and HRSS (SOAP), taken from
 * config/departments and pointed at the bench's simulators: generous concurrency, no rate limit,
 * status polling and platform webhooks off (the bench measures delivery, not result tracking).
 */
export function writeBenchConfig(
  dir: string,
  simulators: { civil: string; hrss: string },
  deliveryConcurrency: number,
): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(SHIPPED, dir, { recursive: true });
  // The shipped demo platform's webhook points at a receiver the bench does not run: its retries
  // would load the worker with work the naive pipeline does not do.
  rmSync(join(dir, 'platforms.yaml'), { force: true });
  rmSync(join(dir, 'departments'), { recursive: true, force: true });
  mkdirSync(join(dir, 'departments'));
  const delivery = {
    concurrency: deliveryConcurrency,
    timeoutMs: 15_000,
    retry: { attempts: 12, baseDelayMs: 2_000, maxDelayMs: 900_000 },
  };
  const tracking = { polling: { enabled: false } };

  const civil = shippedDepartment('CIVIL');
  const civilHost = new URL(simulators.civil).host;
  civil.adapter.options.baseUrl = simulators.civil;
  civil.adapter.options.auth = { ...civil.adapter.options.auth, tokenUrl: `${simulators.civil}/oauth/token` };
  civil.network = { allowedHosts: [civilHost] };
  writeFileSync(join(dir, 'departments', 'CIVIL.yaml'), stringify({ ...civil, delivery, tracking }));

  const hrss = shippedDepartment('HRSS');
  const hrssUrl = new URL(simulators.hrss);
  hrss.adapter.options.endpoint = simulators.hrss;
  hrss.network = { allowedHosts: [hrssUrl.host] };
  writeFileSync(join(dir, 'departments', 'HRSS.yaml'), stringify({ ...hrss, delivery, tracking }));

  writeFileSync(
    join(dir, 'routes.yaml'),
    stringify({
      routes: [
        { service: 'CIVIL-DIBAO', targets: [{ department: 'CIVIL', mapping: 'civil-dibao' }] },
        { service: 'HRSS-UNEMP-REG', targets: [{ department: 'HRSS', mapping: 'hrss-unemployment' }] },
      ],
    }),
  );
  return dir;
}
