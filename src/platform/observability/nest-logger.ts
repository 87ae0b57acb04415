import { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import type { Logger } from 'pino';

type PinoMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Nest's own boot chatter (one line per module and route): useful when debugging, noise otherwise. */
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * Routes Nest's `Logger` (used by every provider as `new Logger(Class.name)`) into pino. An object
 * message becomes structured fields: `logger.log({ msg: 'Connection established', connectionId })`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    // Nest passes (message, stack?, context?): keep the stack when it is a plain string.
    const [maybeStack, ...others] = rest;
    if (typeof maybeStack === 'string' && maybeStack.includes('\n    at ') && !(message instanceof Error)) {
      this.write('error', message, others, { stack: maybeStack });
      return;
    }
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  setLogLevels(levels: NestLogLevel[]): void {
    const order: Array<[NestLogLevel, PinoMethod]> = [
      ['verbose', 'trace'],
      ['debug', 'debug'],
      ['log', 'info'],
      ['warn', 'warn'],
      ['error', 'error'],
      ['fatal', 'fatal'],
    ];
    const lowest = order.find(([nest]) => levels.includes(nest));
    this.pino.level = lowest ? lowest[1] : 'silent';
  }

  private write(requested: PinoMethod, message: unknown, rest: unknown[], extra: Record<string, unknown> = {}): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const level = requested === 'info' && context && BOOT_CONTEXTS.has(context) ? 'debug' : requested;
    // Hot paths log at debug: a line below the level costs nothing but this check.
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = { ...extra, ...(context ? { context } : {}) };
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      const { msg, message: text, ...structured } = message as Record<string, unknown>;
      this.pino[level]({ ...fields, ...structured }, String(msg ?? text ?? ''));
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
