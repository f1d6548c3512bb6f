import { hostname } from 'node:os';
import pino from 'pino';
import { containsPersonalData, scrubPersonalData } from '../masking';

export interface CreateLoggerOptions {
  level?: string;
  name?: string;
  /** Defaults to stdout; tests pass a memory stream. */
  destination?: pino.DestinationStream;
}

/** Structured fields that hold personal data or credentials; replaced wholesale, not masked. */
export const REDACTED_PATHS: readonly string[] = [
  'idNumber',
  'phone',
  'password',
  'secret',
  'clientSecret',
  'apiKey',
  'authorization',
  'applicant.name',
  '*.applicant.name',
  '*.applicant.idNumber',
  '*.applicant.phone',
  '*.idNumber',
  '*.phone',
  'req.headers.authorization',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.apiKey',
];

// A JSON string literal, or a JSON number outside any string.
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const INTEGER = /^-?\d+$/;

/**
 * Masks ID and phone numbers anywhere in a finished JSON log line: the message after %s/%d
 * interpolation, err.message and err.stack (with causes), child bindings and any nesting depth that
 * redact paths cannot reach. Masking only adds `*` inside strings, so the line stays valid JSON; a bare
 * number that is a phone or ID becomes a masked string.
 */
export function scrubLogLine(line: string): string {
  if (!containsPersonalData(line)) return line;
  return line.replace(JSON_TOKEN, (token) => {
    if (token.startsWith('"')) return scrubPersonalData(token);
    if (!INTEGER.test(token)) return token;
    const scrubbed = scrubPersonalData(token);
    return scrubbed === token ? token : JSON.stringify(scrubbed);
  });
}

/** JSON logger that redacts personal-data and credential fields and masks ID/phone numbers in free text. */
export function createLogger(options: CreateLoggerOptions = {}): pino.Logger {
  const settings: pino.LoggerOptions = {
    level: options.level ?? 'info',
    name: options.name,
    base: { service: 'tongban', pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACTED_PATHS], censor: '[REDACTED]' },
    hooks: { streamWrite: scrubLogLine },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
