import pino, { DestinationStream, Logger } from 'pino';
import { RequestContext } from '../context/request-context';
import type { LogLevel } from '../config/observability.options';
import { SECRET_FIELD_NAMES, SecretRedactor } from './redaction';

export interface RootLoggerSettings {
  level: LogLevel;
  role: string;
  destination?: DestinationStream;
}

const redactPaths = SECRET_FIELD_NAMES.flatMap((name) => {
  const access = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`;
  const topLevel = access.startsWith('.') ? name : access;
  return [topLevel, `*${access}`, `req.headers${access}`, `res.headers${access}`];
});

function scrubError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.err(error);
  return {
    ...serialized,
    message: SecretRedactor.scrub(serialized.message ?? ''),
    stack: serialized.stack ? SecretRedactor.scrub(serialized.stack) : undefined,
  };
}

/**
 * The process's one pino logger: JSON lines on stdout, each carrying the role, the tenant, the trace and
 * the ids in scope (from the request context), with secrets redacted by field name and by value.
 */
export function createRootLogger(settings: RootLoggerSettings): Logger {
  return pino(
    {
      level: settings.level,
      base: { role: settings.role },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor: '[REDACTED]' },
      serializers: { err: scrubError, error: scrubError },
      mixin() {
        const store = RequestContext.current();
        if (!store) return {};
        return {
          ...(store.tenantId ? { tenantId: store.tenantId } : {}),
          ...(store.trace ? { traceId: store.trace.traceId, spanId: store.trace.spanId } : {}),
          ...store.ids,
        };
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? SecretRedactor.scrub(arg) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    settings.destination,
  );
}
