import { ConfigError } from '../config/config-error';

export interface MappingProblem {
  /** Relative to the config directory, e.g. `mappings/hrss-unemployment.yaml`. */
  file: string;
  /** Where in the file, e.g. `fields.applicant.zjlx` or `codeTables[1]`; empty for the whole file. */
  field: string;
  reason: string;
}

/**
 * Every problem in mapping, code table and intake files at once. A ConfigError, so start-up reports
 * it like any other configuration problem.
 */
export class MappingConfigError extends ConfigError {
  constructor(readonly mappingProblems: MappingProblem[]) {
    super(mappingProblems.map((p) => ({ file: p.file, path: p.field, reason: p.reason })));
    this.name = 'MappingConfigError';
  }
}

/** Collects problems while loading; `problem()` never throws so one pass finds them all. */
export class ProblemList {
  readonly items: MappingProblem[] = [];

  add(file: string, field: string, reason: string): void {
    this.items.push({ file, field, reason });
  }

  get size(): number {
    return this.items.length;
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new MappingConfigError(this.items);
  }
}
