import { admin, infraEnv, serviceEnv, startService, type AppName } from '@taskize/devstack';
import { createKafka } from '@taskize/kafka';
import { type Connection, createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { request } from 'node:http';
import { readState, writeState } from './stack/state';

export { readState } from './stack/state';

export const infra = () => infraEnv('test');

/** Polls `fn` until it returns a truthy value (never sleep in tests). */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${lastError ? `: ${String(lastError)}` : ''}`);
}

export interface TestTenant {
  slug: string;
  organisationId: string;
  token: string;
}

export function uniqueSlug(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A fresh organisation and SCIM token through the real admin CLI. */
export async function createTenant(prefix = 't', plan = 'business'): Promise<TestTenant> {
  const env = infra();
  const slug = uniqueSlug(prefix);
  const org = JSON.parse(await admin(env, 'test', ['org:create', '--slug', slug, '--name', `Test ${slug}`, '--plan', plan])) as { id: string };
  const token = (await admin(env, 'test', ['token:create', '--org', slug])).trim();
  return { slug, organisationId: org.id, token };
}

export interface ScimResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/**
 * Raw HTTP against the gateway, so tests see exactly what Okta would. node:http rather than fetch:
 * a server may answer early (413 for an oversized body) and close while the body is still being
 * written; the answer counts, the client's EPIPE on the unsent rest does not.
 */
export function scim(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string | Buffer; contentType?: string; headers?: Record<string, string>; gatewayUrl?: string } = {},
): Promise<ScimResponse> {
  const headers: Record<string, string> = { accept: 'application/scim+json', ...opts.headers };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  let body: Buffer | undefined;
  if (opts.rawBody !== undefined) body = Buffer.from(opts.rawBody);
  else if (opts.body !== undefined) body = Buffer.from(JSON.stringify(opts.body));
  if (body !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/scim+json; charset=utf-8';
    headers['content-length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(`${opts.gatewayUrl ?? readState().gatewayUrl}/scim/v2${path}`, { method, headers, timeout: 30_000 }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          parsed = {};
        }
        const responseHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) responseHeaders.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: parsed, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(body);
  });
}

/** A root connection to the test MariaDB: to a service's schema, or to none (a spec's scratch schema). */
export function rootDbConnection(schema?: 'directory' | 'auth'): Promise<Connection> {
  const env = infra();
  return createConnection({
    host: env['DB_HOST'] ?? '127.0.0.1',
    port: Number(env['DB_PORT'] ?? 3306),
    user: process.env['MYSQL_ROOT_USER'] ?? 'root',
    password: process.env['MYSQL_ROOT_PASSWORD'] ?? '',
    ...(schema ? { database: env[schema === 'directory' ? 'DIRECTORY_DB_NAME' : 'AUTH_DB_NAME'] } : {}),
    timezone: 'Z',
  });
}

/** Root connection to MariaDB, for checking what is really stored. */
export async function queryDb<T>(schema: 'directory' | 'auth', sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = await rootDbConnection(schema);
  try {
    const [rows] = await conn.query(sql, params);
    return rows as T[];
  } finally {
    await conn.end();
  }
}

/** Reads a topic from the beginning (own group) until `match` finds a message or the timeout ends. */
export async function findOnTopic<T>(topic: string, match: (value: unknown, key: string | null) => T | undefined, timeoutMs = 15_000): Promise<T> {
  const kafka = createKafka({ brokers: (infra()['KAFKA_BROKERS'] ?? '').split(','), clientId: 'test-reader' });
  const consumer = kafka.consumer({ groupId: `test-reader-${uniqueSlug()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let found: T | undefined;
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (found !== undefined || !message.value) return;
        let value: unknown;
        try {
          value = JSON.parse(message.value.toString('utf8'));
        } catch {
          return;
        }
        found = match(value, message.key ? message.key.toString('utf8') : null);
      },
    });
    return await waitFor(async () => found, { timeoutMs, what: `a matching message on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
}

/** A restarted service keeps writing to the stack's log (specs read it: the trace and no-secrets checks). */
function logToStackLog(): { onOutput: (line: string) => void } {
  const file = readState().logFile;
  return { onOutput: (line) => appendFileSync(file, `${line}\n`) };
}

/** Kills a stack service (as an operator or the OOM killer would) and returns a restarter. */
export async function killService(app: AppName, signal: NodeJS.Signals = 'SIGKILL'): Promise<() => Promise<void>> {
  const state = readState();
  const pid = state.pids[app];
  if (!pid) throw new Error(`${app} is not running in the test stack`);
  process.kill(pid, signal);
  await waitFor(async () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, { what: `${app} to exit` });
  return async () => {
    const service = await startService(app, serviceEnv(app, infra(), 'test'), logToStackLog());
    service.child.unref();
    writeState({ ...readState(), pids: { ...readState().pids, [app]: service.child.pid ?? 0 } });
  };
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Restarts a stack service whose recorded pid is gone (fault specs call this in `finally`). */
export async function ensureServiceRunning(app: AppName): Promise<void> {
  if (pidAlive(readState().pids[app])) return;
  const service = await startService(app, serviceEnv(app, infra(), 'test'), logToStackLog());
  service.child.unref();
  writeState({ ...readState(), pids: { ...readState().pids, [app]: service.child.pid ?? 0 } });
}
