import pino, { type Logger, type LoggerOptions } from 'pino';
import { logContext } from './log-context';
import { REDACT_PATHS, scrub } from './redact';
import { currentTraceId } from './tracing';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * One JSON line per entry on stdout: `service`, `level` as a word, `time` in ms, and — from the
 * async context — `requestId`, `tenantId`, `eventId`, `traceId` (issue 6). Credentials are redacted
 * by path and every message is scrubbed of emails and tokens before it is written.
 */
export function loggerOptions(service: string, level: LogLevel): LoggerOptions {
  return {
    level,
    base: { service },
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin() {
      const traceId = currentTraceId();
      return { ...logContext(), ...(traceId ? { traceId } : {}) };
    },
    hooks: {
      // Every string argument (message and printf values) goes through the scrubber.
      logMethod(args, method) {
        const clean = args.map((a: unknown) => (typeof a === 'string' ? scrub(a) : a instanceof Error ? scrubError(a) : a));
        return method.apply(this, clean as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (error: unknown) => (error instanceof Error ? pino.stdSerializers.err(scrubError(error)) : error),
    },
  };
}

function scrubError(error: Error): Error {
  const copy = new Error(scrub(error.message));
  copy.name = error.name;
  if (error.stack) copy.stack = scrub(error.stack);
  return copy;
}

export function createLogger(service: string, level: LogLevel, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(service, level), destination) : pino(loggerOptions(service, level));
}
