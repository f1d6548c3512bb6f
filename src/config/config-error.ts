export interface ConfigProblem {
  file: string;
  path: string;
  reason: string;
}

/** Every problem found in the configuration at once, so an operator fixes them in one pass. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.reason}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
