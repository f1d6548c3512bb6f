import 'reflect-metadata';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { flattenValidationErrors, toDottedPath } from '../common/validation/flatten-validation-errors';
import { RegionTable } from '../regions/region-table';
import { ConfigError, type ConfigProblem } from './config-error';
import { interpolateEnvironment } from './env-interpolation';
import { ApiKeyConfig } from './model/api-key-config';
import { DepartmentConfig } from './model/department-config';
import { PlatformConfig } from './model/platform-config';
import { RouteConfig } from './model/route-config';
import { ServiceConfig } from './model/service-config';
import type { TongbanConfig } from './tongban-config';

interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra API keys from the environment (JSON array), e.g. for operators who keep them out of files. */
  apiKeysJson?: string;
  regions?: RegionTable;
}

/** Reads, interpolates and validates config/; throws one ConfigError listing every problem. */
export function loadConfig(configDir: string, options: LoadOptions = {}): TongbanConfig {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const reader = new YamlReader(configDir, env, problems);

  const departments = new Map<string, DepartmentConfig>();
  for (const file of reader.listYaml('departments')) {
    const department = reader.readAs(file, '', DepartmentConfig, (tree) => isEnabled(tree));
    if (!department) continue;
    if (departments.has(department.code))
      reader.problem(file, 'code', `department ${department.code} is defined twice`);
    departments.set(department.code, department);
  }

  const services = new Map<string, ServiceConfig>();
  for (const [i, service] of reader.readList('services.yaml', 'services', ServiceConfig)) {
    if (services.has(service.code))
      reader.problem('services.yaml', `services[${i}].code`, `service ${service.code} is defined twice`);
    services.set(service.code, service);
  }

  const regions = options.regions ?? RegionTable.load();
  const routes = new Map<string, RouteConfig>();
  for (const [i, route] of reader.readList('routes.yaml', 'routes', RouteConfig)) {
    const at = `routes[${i}]`;
    if (!services.has(route.service))
      reader.problem('routes.yaml', `${at}.service`, `unknown service ${route.service}`);
    if (routes.has(route.service))
      reader.problem('routes.yaml', `${at}.service`, `service ${route.service} has two routes`);
    route.targets.forEach((target, t) => {
      const department = departments.get(target.department);
      if (!department)
        reader.problem(
          'routes.yaml',
          `${at}.targets[${t}].department`,
          `unknown department ${target.department}`,
        );
      else if (!department.enabled)
        reader.problem(
          'routes.yaml',
          `${at}.targets[${t}].department`,
          `department ${target.department} is disabled`,
        );
      for (const region of target.regions ?? []) {
        if (!regions.isKnownCountyPrefix(region)) {
          reader.problem(
            'routes.yaml',
            `${at}.targets[${t}].regions`,
            `region ${region} is not a known division code`,
          );
        }
      }
    });
    routes.set(route.service, route);
  }

  const apiKeys = reader.readList('api-keys.yaml', 'apiKeys', ApiKeyConfig).map(([, key]) => key);
  if (options.apiKeysJson) apiKeys.push(...reader.parseEnvApiKeys(options.apiKeysJson));

  const platforms = new Map<string, PlatformConfig>();
  for (const [i, platform] of reader.readList('platforms.yaml', 'platforms', PlatformConfig)) {
    if (platforms.has(platform.source))
      reader.problem(
        'platforms.yaml',
        `platforms[${i}].source`,
        `source ${platform.source} is defined twice`,
      );
    platforms.set(platform.source, platform);
  }
  checkStatusMappings(departments, configDir, reader);

  const formValidators = compileFormSchemas(configDir, services, reader);
  if (problems.length > 0) throw new ConfigError(problems);
  return { configDir, departments, services, routes, apiKeys, platforms, formValidators };
}

/** A department's tracking.statusMapping must name a reverse mapping file of that department. */
function checkStatusMappings(
  departments: Map<string, DepartmentConfig>,
  configDir: string,
  reader: YamlReader,
): void {
  for (const [code, department] of departments) {
    const id = department.tracking.statusMapping;
    if (!id) continue;
    if (!existsSync(join(configDir, 'mappings', `${id}.yaml`)))
      reader.problem(
        `departments/${code}.yaml`,
        'tracking.statusMapping',
        `no mapping file mappings/${id}.yaml`,
      );
  }
}

function isEnabled(tree: unknown): boolean {
  return !(tree && typeof tree === 'object' && (tree as { enabled?: unknown }).enabled === false);
}

function compileFormSchemas(
  configDir: string,
  services: Map<string, ServiceConfig>,
  reader: YamlReader,
): Map<string, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators = new Map<string, ValidateFunction>();
  for (const service of services.values()) {
    if (!service.formSchema) continue;
    const file = join(configDir, service.formSchema);
    try {
      validators.set(service.code, ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object));
    } catch (error) {
      reader.problem(
        'services.yaml',
        `services[code=${service.code}].formSchema`,
        `cannot use ${service.formSchema}: ${(error as Error).message}`,
      );
    }
  }
  return validators;
}

class YamlReader {
  constructor(
    private readonly configDir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly problems: ConfigProblem[],
  ) {}

  problem(file: string, path: string, reason: string): void {
    this.problems.push({ file, path, reason });
  }

  listYaml(folder: string): string[] {
    const dir = join(this.configDir, folder);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => relative(this.configDir, join(dir, name)));
  }

  /** Parses one YAML file; `${VAR}` left unset only counts as a problem when `needsSecrets` says so. */
  readTree(file: string, needsSecrets: (tree: unknown) => boolean = () => true): unknown {
    const full = join(this.configDir, file);
    if (!existsSync(full)) return undefined;
    const document = parseDocument(readFileSync(full, 'utf8'), { prettyErrors: true });
    if (document.errors.length > 0) {
      // The first syntax error is the one to fix; the rest usually follow from it.
      this.problem(file, '', `YAML syntax: ${document.errors[0].message.split('\n')[0]}`);
      return undefined;
    }
    const raw: unknown = document.toJS();
    const { value, missing } = interpolateEnvironment(raw, this.env);
    if (needsSecrets(raw)) {
      for (const m of missing) this.problem(file, m.path, `environment variable ${m.variable} is not set`);
    }
    return value;
  }

  readAs<T extends object>(
    file: string,
    path: string,
    type: ClassConstructor<T>,
    needsSecrets?: (tree: unknown) => boolean,
  ): T | undefined {
    const tree = this.readTree(file, needsSecrets);
    return tree === undefined ? undefined : this.validate(file, path, tree, type);
  }

  readList<T extends object>(file: string, key: string, type: ClassConstructor<T>): Array<[number, T]> {
    const tree = this.readTree(file);
    if (tree === undefined) return [];
    const list = (tree as Record<string, unknown> | null)?.[key];
    if (!Array.isArray(list)) {
      this.problem(file, key, `must be a list`);
      return [];
    }
    const out: Array<[number, T]> = [];
    list.forEach((item, i) => {
      const value = this.validate(file, `${key}[${i}]`, item, type);
      if (value) out.push([i, value]);
    });
    return out;
  }

  parseEnvApiKeys(json: string): ApiKeyConfig[] {
    let list: unknown;
    try {
      list = JSON.parse(json);
    } catch {
      this.problem('TONGBAN_API_KEYS', '', 'must be a JSON array');
      return [];
    }
    if (!Array.isArray(list)) {
      this.problem('TONGBAN_API_KEYS', '', 'must be a JSON array');
      return [];
    }
    return list.flatMap((item, i) => this.validate('TONGBAN_API_KEYS', `[${i}]`, item, ApiKeyConfig) ?? []);
  }

  private validate<T extends object>(
    file: string,
    path: string,
    tree: unknown,
    type: ClassConstructor<T>,
  ): T | undefined {
    if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
      this.problem(file, path, 'must be a mapping (key: value)');
      return undefined;
    }
    const instance = plainToInstance(type, tree, { exposeDefaultValues: true });
    const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
    for (const p of flattenValidationErrors(errors)) {
      const field = toDottedPath(p.segments);
      this.problem(file, path && field ? `${path}.${field}` : path || field, p.reason);
    }
    return errors.length === 0 ? instance : undefined;
  }
}
