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

/**
 * Without a destination, lines go to stdout with synchronous writes. pino's own default (SonicBoom, `sync: false`)
 * hands every line to a libuv pool thread, which then wakes the event loop again: at 50 creates/s that was one pool
 * thread wake-up and one loop wake-up per request line in the gateway and in the directory (`strace -f`), on two
 * cores shared with Kafka and MySQL (docs/benchmarks.md, run 9). A write of one line to the pipe or socket a
 * container runtime reads is cheaper than those hand-offs, and a line written is not lost when the process is
 * killed, which an on-call engineer reading the last lines before a crash relies on.
 */
export function createLogger(service: string, level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(loggerOptions(service, level), destination ?? pino.destination({ dest: 1, sync: true }));
}
