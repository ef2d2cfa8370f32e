import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Profile = 'dev' | 'test';
export type AppName = 'auth' | 'directory' | 'scim-gateway';
export type Env = Record<string, string>;

/** Stable ports (README); the test profile shifts them so `npm test` runs beside `npm start`. */
export const PORTS: Record<Profile, Record<AppName, number>> = {
  dev: { 'scim-gateway': 3000, auth: 3001, directory: 3002 },
  test: { 'scim-gateway': 13000, auth: 13001, directory: 13002 },
};

export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (nx.json)');
    dir = up;
  }
  return dir;
}

/** KEY=value lines from `scripts/infra.sh env`: Kafka, MySQL users per schema, the internal token. */
export function infraEnv(profile: Profile): Env {
  const out = execFileSync('bash', [join(repoRoot(), 'scripts/infra.sh'), 'env', '--profile', profile], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

function dbEnv(infra: Env, prefix: 'AUTH' | 'DIRECTORY'): Env {
  return {
    DB_HOST: infra['DB_HOST'] ?? '127.0.0.1',
    DB_PORT: infra['DB_PORT'] ?? '3306',
    DB_NAME: infra[`${prefix}_DB_NAME`] ?? '',
    DB_USER: infra[`${prefix}_DB_USER`] ?? '',
    DB_PASSWORD: infra[`${prefix}_DB_PASSWORD`] ?? '',
    DB_MIGRATION_USER: infra[`${prefix}_DB_MIGRATION_USER`] ?? '',
    DB_MIGRATION_PASSWORD: infra[`${prefix}_DB_MIGRATION_PASSWORD`] ?? '',
  };
}

/** The auth service's authorization server (issue 5): public URL, SCIM audience, keys and secrets from infra. */
function authOAuthEnv(infra: Env, profile: Profile): Env {
  const ports = PORTS[profile];
  return {
    AUTH_PUBLIC_URL: `http://127.0.0.1:${ports.auth}`,
    SCIM_AUDIENCE: `http://127.0.0.1:${ports['scim-gateway']}/scim/v2`,
    AUTH_SIGNING_KEYS_FILE: infra['AUTH_SIGNING_KEYS_FILE'] ?? '',
    AUTH_COOKIE_KEYS: infra['AUTH_COOKIE_KEYS'] ?? '',
    AUTH_CLIENT_SECRET_KEY: infra['AUTH_CLIENT_SECRET_KEY'] ?? '',
  };
}

/** The environment one service gets, with the same names as docker-compose.yml and deploy/k8s. */
export function serviceEnv(app: AppName, infra: Env, profile: Profile, overrides: Env = {}): Env {
  const ports = PORTS[profile];
  const common: Env = {
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(ports[app]),
    KAFKA_BROKERS: infra['KAFKA_BROKERS'] ?? '',
    INTERNAL_API_TOKEN: infra['INTERNAL_API_TOKEN'] ?? '',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
  };
  const specific: Env =
    app === 'auth'
      ? { ...dbEnv(infra, 'AUTH'), ...authOAuthEnv(infra, profile), DIRECTORY_URL: `http://127.0.0.1:${ports.directory}` }
      : app === 'directory'
        ? dbEnv(infra, 'DIRECTORY')
        : {
            PUBLIC_BASE_URL: `http://127.0.0.1:${ports['scim-gateway']}/scim/v2`,
            DIRECTORY_URL: `http://127.0.0.1:${ports.directory}`,
            AUTH_URL: `http://127.0.0.1:${ports.auth}`,
            // Tests exercise the late-reply and broker-down paths; keep those waits short there.
            ...(profile === 'test' ? { REPLY_TIMEOUT_MS: '3000', PRODUCE_TIMEOUT_MS: '2000', TOKEN_CACHE_TTL_MS: '1000' } : {}),
          };
  return { ...common, ...specific, ...overrides };
}

/**
 * Every service's V8 heap: old space capped at 96 MB, young semi-spaces at 8 MB (deploy/docker/Dockerfile sets the
 * same; a spec checks). Uncapped, V8 let the gateway's old space grow to ~150 MB of dead request objects under a
 * 300/s overload before collecting them: RSS 285 MB, over issue 4's 200 MB and over the 256 Mi k8s limit. Capped,
 * it collects sooner: 140 MB in the same run (docs/benchmarks.md, run 7). The live sets are 45–70 MB.
 */
export const SERVICE_NODE_OPTIONS = '--enable-source-maps --max-old-space-size=96';

const baseProcessEnv = (): Env => ({ PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', NODE_OPTIONS: SERVICE_NODE_OPTIONS });

export function distEntry(app: AppName, file = 'main.js'): string {
  return join(repoRoot(), 'dist/apps', app, 'src', file);
}

/** Runs a compiled one-shot (migrations, topics, admin CLI) and returns its stdout. */
export async function runOneShot(script: string, args: string[], env: Env): Promise<string> {
  const { stdout } = await run(process.execPath, [script, ...args], { env: { ...baseProcessEnv(), ...env }, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export async function prepare(infra: Env, profile: Profile): Promise<void> {
  await Promise.all([
    runOneShot(distEntry('auth', 'migrate.js'), [], serviceEnv('auth', infra, profile)),
    runOneShot(distEntry('directory', 'migrate.js'), [], serviceEnv('directory', infra, profile)),
    runOneShot(join(repoRoot(), 'dist/libs/shared/kafka/src/cli/ensure-topics.js'), [], { KAFKA_BROKERS: infra['KAFKA_BROKERS'] ?? '' }),
  ]);
}

export interface StartedService {
  app: AppName;
  url: string;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${last}`);
}

export async function startService(
  app: AppName,
  env: Env,
  opts: { stdio?: 'inherit' | 'pipe' | 'ignore'; onOutput?: (line: string) => void; readyTimeoutMs?: number } = {},
): Promise<StartedService> {
  const url = `http://${env['HTTP_HOST'] ?? '127.0.0.1'}:${env['HTTP_PORT']}`;
  // A leftover process on the port would answer our readiness probe in place of the new one.
  const stale = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
    () => true,
    () => false,
  );
  if (stale) throw new Error(`${app}: something already answers on ${url}; stop it first`);
  const child = spawn(process.execPath, [distEntry(app)], { env: { ...baseProcessEnv(), ...env }, stdio: ['ignore', opts.stdio ?? 'pipe', opts.stdio ?? 'pipe'] });
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const onOutput = opts.onOutput;
  if (onOutput) {
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = '';
      stream?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          onOutput(`[${app}] ${buffer.slice(0, i)}`);
          buffer = buffer.slice(i + 1);
        }
      });
    }
  } else if (opts.stdio === 'pipe' || opts.stdio === undefined) {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) => {
    if (!exited) {
      child.kill(signal);
      const timer = setTimeout(() => !exited && child.kill('SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    }
    return exit;
  };
  try {
    await waitForHttp(`${url}/readyz`, opts.readyTimeoutMs ?? 60_000, () => !exited);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return { app, url, child, stop };
}

/** Auth and directory first (the gateway's readiness depends on both), then the gateway. */
export async function startStack(infra: Env, profile: Profile, opts: Parameters<typeof startService>[2] = {}): Promise<StartedService[]> {
  const first = await Promise.allSettled((['auth', 'directory'] as const).map((app) => startService(app, serviceEnv(app, infra, profile), opts)));
  const started = first.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = first.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    started.push(await startService('scim-gateway', serviceEnv('scim-gateway', infra, profile), opts));
    return started;
  } catch (error) {
    await stopStack(started);
    throw error;
  }
}

export async function stopStack(services: readonly StartedService[]): Promise<void> {
  // The gateway first so no new work arrives, then the rest.
  const gateway = services.filter((s) => s.app === 'scim-gateway');
  await Promise.all(gateway.map((s) => s.stop()));
  await Promise.all(services.filter((s) => s.app !== 'scim-gateway').map((s) => s.stop()));
}

/** `npm run admin -- …` against a profile's auth schema. */
export function admin(infra: Env, profile: Profile, args: string[]): Promise<string> {
  return runOneShot(distEntry('auth', 'admin-cli/main.js'), args, serviceEnv('auth', infra, profile));
}
