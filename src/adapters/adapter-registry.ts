import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors, toDottedPath } from '../common/validation/flatten-validation-errors';
import { ConfigError, type ConfigProblem } from '../config/config-error';
import type { DepartmentConfig } from '../config/model/department-config';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { RUNTIME } from '../runtime/tokens';
import { createEgressGuard } from './network/egress-guard';
import { Adapter } from './sdk/adapter.decorator';
import type { AdapterFactory } from './sdk/adapter-factory';
import type { DepartmentAdapter } from './sdk/department-adapter';

/**
 * Finds every `@Adapter('type')` provider, checks each enabled department's adapter options against
 * its factory's options class at start-up, and builds one adapter per department on first use.
 */
@Injectable()
export class AdapterRegistry implements OnModuleInit {
  private readonly logger = new Logger(AdapterRegistry.name);
  private readonly factories = new Map<string, AdapterFactory>();
  private readonly options = new Map<string, object>();
  private readonly adapters = new Map<string, Promise<DepartmentAdapter>>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(RUNTIME) private readonly runtime: GatewayRuntime,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: Adapter.KEY })) {
      const type = this.discovery.getMetadataByDecorator(Adapter, wrapper);
      if (!type || !wrapper.instance) continue;
      if (this.factories.has(type)) {
        throw new Error(
          `Two adapter factories are registered for type "${type}": give the custom one another type name.`,
        );
      }
      this.factories.set(type, wrapper.instance as AdapterFactory);
    }
    const problems: ConfigProblem[] = [];
    for (const department of this.runtime.config.departments.values()) {
      if (department.enabled) this.validateOptions(department, problems);
    }
    if (problems.length > 0) throw new ConfigError(problems);
  }

  types(): string[] {
    return [...this.factories.keys()].sort();
  }

  /** The department's adapter, built once. */
  get(code: string): Promise<DepartmentAdapter> {
    let adapter = this.adapters.get(code);
    if (!adapter) {
      adapter = this.build(code);
      adapter.catch(() => this.adapters.delete(code));
      this.adapters.set(code, adapter);
    }
    return adapter;
  }

  async closeAll(): Promise<void> {
    const built = [...this.adapters.values()];
    this.adapters.clear();
    await Promise.allSettled(built.map(async (a) => (await a).close()));
  }

  private async build(code: string): Promise<DepartmentAdapter> {
    const department = this.runtime.config.departments.get(code);
    if (!department) throw new Error(`Unknown department ${code}`);
    const factory = this.factories.get(department.adapter.type)!;
    const log = new Logger(`adapter:${code}`);
    return factory.create({
      department,
      options: this.options.get(code)!,
      egress: createEgressGuard(code, department.network?.allowedHosts, {
        warn: (message: string) => log.warn(message),
      }),
      configDir: this.runtime.config.configDir,
      log: (level, message, fields) =>
        log[level === 'info' ? 'log' : level]({ msg: message, department: code, ...fields }),
    });
  }

  private validateOptions(department: DepartmentConfig, problems: ConfigProblem[]): void {
    const file = `departments/${department.code}.yaml`;
    const factory = this.factories.get(department.adapter.type);
    if (!factory) {
      problems.push({
        file,
        path: 'adapter.type',
        reason: `no adapter of type "${department.adapter.type}" is registered (known: ${this.types().join(', ') || 'none'})`,
      });
      return;
    }
    const options = plainToInstance(factory.optionsClass, department.adapter.options, {
      exposeDefaultValues: true,
    });
    const errors = validateSync(options, { whitelist: true, forbidNonWhitelisted: true });
    for (const p of flattenValidationErrors(errors)) {
      problems.push({ file, path: `adapter.options.${toDottedPath(p.segments)}`, reason: p.reason });
    }
    if (errors.length === 0) this.options.set(department.code, options);
    else this.logger.error(`adapter options of ${department.code} are invalid`);
  }
}
