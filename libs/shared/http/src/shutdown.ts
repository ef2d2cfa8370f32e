import type { INestApplication } from '@nestjs/common';

/**
 * SIGTERM/SIGINT → `app.close()` (readiness goes false, HTTP drains, Kafka consumers finish their
 * chunk and leave their groups, pools close — the same lifecycle hooks Nest runs), then exit 0.
 * Nest's own enableShutdownHooks re-raises the signal after closing, so the process ends "killed by
 * SIGTERM" rather than with a clean exit code. Past `deadlineMs` the process exits 1 regardless.
 */
export function exitCleanlyOnSignals(app: INestApplication, deadlineMs = 25_000, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    const timer = setTimeout(() => {
      process.stderr.write(`shutdown did not finish within ${deadlineMs} ms after ${signal}; exiting\n`);
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
