import type { RegionTable } from '../regions/region-table';
import type { MappingDefinition } from './mapping-compiler';
import { loadDefinitions } from './mapping-loader';
import { ForwardMapping, ReverseMapping } from './mapping-runtime';
import type { CompiledMapping, CompiledReverseMapping } from './mapping-types';

export class UnknownMappingError extends Error {
  /** kind: e.g. `forward mapping`, `intake profile`. */
  constructor(id: string, kind: string) {
    super(`no ${kind} with id ${id}`);
    this.name = 'UnknownMappingError';
  }
}

/** Every mapping under config/mappings, compiled once at start-up. */
export class MappingRegistry {
  private constructor(
    private readonly forwards: ReadonlyMap<string, ForwardMapping>,
    private readonly reverses: ReadonlyMap<string, ReverseMapping>,
  ) {}

  /** Throws MappingConfigError listing every problem in config/mappings and config/codetables. */
  static load(configDir: string, regions: RegionTable): MappingRegistry {
    const forwards = new Map<string, ForwardMapping>();
    const reverses = new Map<string, ReverseMapping>();
    for (const definition of loadDefinitions(configDir, 'mappings', regions)) {
      if (definition.kind === 'forward') forwards.set(definition.id, new ForwardMapping(definition));
      else reverses.set(definition.id, new ReverseMapping(definition));
    }
    return new MappingRegistry(forwards, reverses);
  }

  forward(id: string): CompiledMapping {
    const mapping = this.forwards.get(id);
    if (!mapping) throw new UnknownMappingError(id, 'forward mapping');
    return mapping;
  }

  reverse(id: string): CompiledReverseMapping {
    const mapping = this.reverses.get(id);
    if (!mapping) throw new UnknownMappingError(id, 'reverse mapping');
    return mapping;
  }

  has(id: string): boolean {
    return this.forwards.has(id) || this.reverses.has(id);
  }

  /** All ids, forward and reverse, sorted. */
  ids(): string[] {
    return [...this.forwards.keys(), ...this.reverses.keys()].sort();
  }

  /** The checked file behind an id: its examples, department and source file, for tooling. */
  definition(id: string): MappingDefinition {
    const mapping = this.forwards.get(id) ?? this.reverses.get(id);
    if (!mapping) throw new UnknownMappingError(id, 'mapping');
    return mapping.definition;
  }
}
