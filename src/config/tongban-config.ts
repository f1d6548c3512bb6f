import type { ValidateFunction } from 'ajv';
import type { ApiKeyConfig } from './model/api-key-config';
import type { PlatformConfig } from './model/platform-config';
import type { DepartmentConfig } from './model/department-config';
import type { RouteConfig } from './model/route-config';
import type { ServiceConfig } from './model/service-config';

/** The validated configuration the gateway runs on; built once at start-up by `loadConfig`. */
export interface TongbanConfig {
  configDir: string;
  departments: ReadonlyMap<string, DepartmentConfig>;
  services: ReadonlyMap<string, ServiceConfig>;
  routes: ReadonlyMap<string, RouteConfig>;
  apiKeys: readonly ApiKeyConfig[];
  /** Submitting platforms by source: webhooks and resident notification. */
  platforms: ReadonlyMap<string, PlatformConfig>;
  /** Compiled JSON Schema validators for services that declare a form schema. */
  formValidators: ReadonlyMap<string, ValidateFunction>;
}
