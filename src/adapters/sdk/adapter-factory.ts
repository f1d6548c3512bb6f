import type { ClassConstructor } from 'class-transformer';
import type { DepartmentConfig } from '../../config/model/department-config';
import type { DepartmentAdapter } from './department-adapter';
import type { EgressGuard } from './egress-guard';

export interface AdapterContext<Options> {
  department: DepartmentConfig;
  /** The department's `adapter.options`, validated against the factory's options class. */
  options: Options;
  /** Checks every outbound connection against the department's allowedHosts. */
  egress: EgressGuard;
  /** The config directory, for files the options name (WSDLs, CA bundles, certificates). */
  configDir: string;
  log: (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
}

/**
 * Builds adapters of one type. Register it as a Nest provider decorated with `@Adapter('type')`;
 * a department's YAML picks it with `adapter.type`.
 */
export interface AdapterFactory<Options extends object = object> {
  /** class-validator class for `adapter.options`; defaults come from property initializers. */
  readonly optionsClass: ClassConstructor<Options>;
  create(context: AdapterContext<Options>): DepartmentAdapter | Promise<DepartmentAdapter>;
}
