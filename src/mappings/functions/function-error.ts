import type { MappingErrorCode } from '../mapping-types';

/** Thrown by built-in functions for bad data; becomes a field error, never a crash. */
export class MappingFunctionError extends Error {
  constructor(
    message: string,
    readonly code: MappingErrorCode = 'EXPRESSION',
  ) {
    super(message);
    this.name = 'MappingFunctionError';
  }
}
