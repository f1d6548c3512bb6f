import type { LoggerService, LogLevel } from '@nestjs/common';
import type pino from 'pino';

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const PINO_LEVEL: Record<LogLevel, PinoLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

const MOST_VERBOSE_FIRST: readonly LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

// Same test as Nest's ConsoleLogger, so `error(message, stack)` is read the way Nest means it.
const STACK_FORMAT = /^(.)+\n\s+at .+:\d+:\d+/;

/**
 * Nest's own logs (bootstrap, routing, exception handler) as JSON through the shared pino logger, so
 * they get the same redaction and ID/phone scrubbing. Nest's trailing string argument becomes `context`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(
    private readonly logger: pino.Logger,
    private readonly context?: string,
  ) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('info', [message, ...optionalParams]);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', [message, ...optionalParams], true);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', [message, ...optionalParams]);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', [message, ...optionalParams]);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('trace', [message, ...optionalParams]);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', [message, ...optionalParams]);
  }

  /** Nest lists the enabled levels; pino has one threshold, so the most verbose listed level wins. */
  setLogLevels(levels: LogLevel[]): void {
    const lowest = MOST_VERBOSE_FIRST.find((level) => levels.includes(level));
    this.logger.level = lowest === undefined ? 'silent' : PINO_LEVEL[lowest];
  }

  private write(level: PinoLevel, args: unknown[], mayHaveStack = false): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const { messages, context, stack } = mayHaveStack ? this.splitWithStack(args) : this.split(args);
    const [message, ...extra] = messages;
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    if (stack !== undefined) fields.stack = stack;
    if (extra.length > 0) fields.params = extra;
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'string') {
      this.logger[level](fields, message);
    } else if (message !== null && typeof message === 'object' && !Array.isArray(message)) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level]({ ...fields, payload: message });
    }
  }

  private split(args: unknown[]): { messages: unknown[]; context?: string; stack?: string } {
    const last = args[args.length - 1];
    if (args.length > 1 && typeof last === 'string') return { messages: args.slice(0, -1), context: last };
    return { messages: args, context: this.context };
  }

  private splitWithStack(args: unknown[]): { messages: unknown[]; context?: string; stack?: string } {
    if (args.length === 2 && typeof args[1] === 'string' && STACK_FORMAT.test(args[1])) {
      return { messages: [args[0]], stack: args[1], context: this.context };
    }
    if (args.length === 2) return this.split(args);
    const { messages, context } = this.split(args);
    const last = messages[messages.length - 1];
    if (messages.length <= 1 || (typeof last !== 'string' && last !== undefined))
      return { messages, context };
    return { messages: messages.slice(0, -1), context, stack: last };
  }
}
