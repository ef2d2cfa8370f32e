import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Fields every log line of a unit of work carries (issue 6: request id, tenant id, event id, trace
 * id). HTTP requests enter a context in an onRequest hook; the directory enters one per provisioning
 * event. The logger's mixin reads it, so call sites never pass these around.
 */
export interface LogFields {
  requestId?: string;
  tenantId?: string;
  eventId?: string;
}

const storage = new AsyncLocalStorage<LogFields>();

export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** Adds fields to the current context (e.g. the tenant, once the token is resolved). No-op outside one. */
export function assignLogContext(fields: LogFields): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}

export function logContext(): Readonly<LogFields> {
  return storage.getStore() ?? {};
}

/** The current context's fields object itself (to re-enter it later with `runWithLogFields`). */
export function currentLogFields(): LogFields | undefined {
  return storage.getStore();
}

/** Runs `fn` with exactly this fields object as the context (later assignments stay visible to both). */
export function runWithLogFields<T>(fields: LogFields, fn: () => T): T {
  return storage.run(fields, fn);
}
