import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@taskize/devstack';
import { parse } from 'yaml';

/**
 * Reading docker-compose.yml (and its .env.example) for unit specs that keep it true to the code:
 * env names against each app's config schema, ports against devstack PORTS, entry points against dist/.
 */

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> | string[] } | string;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number | string; published?: number | string; host_ip?: string })[];
  expose?: (string | number)[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  profiles?: string[];
  [key: string]: unknown;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export const COMPOSE_FILE = 'docker-compose.yml';
export const COMPOSE_ENV_EXAMPLE = 'deploy/compose/.env.example';

const cache = new Map<string, ComposeFile>();

/** docker-compose.yml parsed as compose does: anchors resolved and `<<` merge keys applied. */
export function loadCompose(file = join(repoRoot(), COMPOSE_FILE)): ComposeFile {
  let parsed = cache.get(file);
  if (!parsed) {
    parsed = parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
    if (!parsed || typeof parsed.services !== 'object') throw new Error(`${file}: no services`);
    cache.set(file, parsed);
  }
  return parsed;
}

export function composeService(name: string, compose: ComposeFile = loadCompose()): ComposeService {
  const service = compose.services[name];
  if (!service) throw new Error(`docker-compose.yml has no service "${name}" (has: ${Object.keys(compose.services).join(', ')})`);
  return service;
}

/** The raw environment of a service as a map, from either `KEY: value` or `- KEY=value`; `${…}` kept as written. */
export function composeEnv(name: string, compose: ComposeFile = loadCompose()): Record<string, string> {
  const env = composeService(name, compose).environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const i = entry.indexOf('=');
        // `- KEY` alone passes KEY through from the shell running compose.
        return i < 0 ? [entry, `\${${entry}}`] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? `\${${k}}` : String(v)]));
}

/** Env entries compose would reject: booleans must be quoted ("false"), or compose refuses the file. */
export function nonStringEnvKeys(name: string, compose: ComposeFile = loadCompose()): string[] {
  const env = composeService(name, compose).environment;
  if (!env || Array.isArray(env)) return [];
  return Object.entries(env)
    .filter(([, v]) => typeof v === 'boolean')
    .map(([k]) => k);
}

export interface VariableRef {
  name: string;
  /** `${X:?msg}` / `${X?msg}`: compose refuses to start without it. `${X:-d}`: falls back to `fallback`. */
  kind: 'required' | 'default' | 'plain';
  fallback?: string;
}

const REF = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** The `${…}` references in a compose value (compose interpolation syntax; `$$` is a literal `$`). */
export function variableRefs(value: string): VariableRef[] {
  const refs: VariableRef[] = [];
  for (const m of value.matchAll(REF)) {
    if (m[0] === '$$') continue;
    const name = m[1] ?? m[4] ?? '';
    const op = m[2];
    if (op?.endsWith('?')) refs.push({ name, kind: 'required' });
    else if (op?.endsWith('-')) refs.push({ name, kind: 'default', fallback: m[3] ?? '' });
    else refs.push({ name, kind: 'plain' });
  }
  return refs;
}

/** True when the whole value is one required-variable reference, e.g. `${INTERNAL_API_TOKEN:?set it in .env}`. */
export function isRequiredVariableRef(value: string): boolean {
  const refs = variableRefs(value);
  return refs.length === 1 && refs[0]?.kind === 'required' && /^\$\{[^}]*\}$/.test(value);
}

/** Stand-in for a required variable: long enough for token rules (≥ 32), only [a-z0-9_] so any format check passes. */
export function placeholderFor(name: string): string {
  return `${name.toLowerCase()}_placeholder_`.padEnd(48, 'x');
}

/** Interpolates like compose: `${X:-d}` → d, `${X:?…}` → `vars[X]` or a placeholder, `${X}` → `vars[X]` or '', `$$` → `$`. */
export function interpolate(value: string, vars: Record<string, string> = {}): string {
  return value.replace(REF, (whole, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare ?? '';
    const set = vars[name];
    if (op?.endsWith('-')) return set === undefined || (op === ':-' && set === '') ? (arg ?? '') : set;
    if (op?.endsWith('?')) return set ?? placeholderFor(name);
    return set ?? '';
  });
}

/** A service's environment as the container would see it, with `vars` (or placeholders) for the variables. */
export function resolvedComposeEnv(name: string, vars: Record<string, string> = {}, compose: ComposeFile = loadCompose()): Record<string, string> {
  return Object.fromEntries(Object.entries(composeEnv(name, compose)).map(([k, v]) => [k, interpolate(v, vars)]));
}

/** Every variable a service needs from .env (required references anywhere in its environment). */
export function requiredVariables(name: string, compose: ComposeFile = loadCompose()): string[] {
  const names = Object.values(composeEnv(name, compose)).flatMap((v) => variableRefs(v).filter((r) => r.kind === 'required').map((r) => r.name));
  return [...new Set(names)].sort();
}

/** Variable names the user is told to set in deploy/compose/.env.example (uncommented `NAME=` lines). */
export function envExampleVariables(file = join(repoRoot(), COMPOSE_ENV_EXAMPLE)): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(l.trim())?.[1])
    .filter((n): n is string => n !== undefined);
}

const words = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : v.trim().split(/\s+/));

/** The argv a service runs: its entrypoint and command, when either is set in compose. */
export function composeCommand(name: string, compose: ComposeFile = loadCompose()): string[] {
  const s = composeService(name, compose);
  return [...words(s.entrypoint), ...words(s.command)];
}

/** Where a compiled `dist/…/x.js` comes from: the `.ts` source scripts/build.mjs compiles into it. */
export function distSource(distPath: string): string {
  if (!/^dist\/.+\.js$/.test(distPath)) throw new Error(`not a dist/ entry: ${distPath}`);
  return distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

export function sourceExists(relPath: string): boolean {
  return existsSync(join(repoRoot(), relPath));
}

export function readRepoFile(relPath: string): string {
  return readFileSync(join(repoRoot(), relPath), 'utf8');
}

/** The Dockerfile a service is built from (relative to the repository root), if it has a build. */
export function composeDockerfile(name: string, compose: ComposeFile = loadCompose()): string | undefined {
  const build = composeService(name, compose).build;
  if (!build) return undefined;
  if (typeof build === 'string') return join(build, 'Dockerfile');
  return join(build.context ?? '.', build.dockerfile ?? 'Dockerfile');
}

export function buildArgs(name: string, compose: ComposeFile = loadCompose()): Record<string, string> {
  const build = composeService(name, compose).build;
  if (!build || typeof build === 'string' || !build.args) return {};
  if (Array.isArray(build.args)) return Object.fromEntries(build.args.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(build.args).map(([k, v]) => [k, String(v)]));
}

export interface PublishedPort {
  hostIp?: string;
  host?: number;
  container: number;
}

/** `ports:` in short (`[ip:][host:]container`) or long syntax. */
export function publishedPorts(name: string, compose: ComposeFile = loadCompose()): PublishedPort[] {
  return (composeService(name, compose).ports ?? []).map((p) => {
    if (typeof p === 'object') {
      return { hostIp: p.host_ip, host: p.published === undefined ? undefined : Number(p.published), container: Number(p.target) };
    }
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    const container = Number(parts.pop());
    const host = parts.length ? Number(parts.pop()) : undefined;
    return { hostIp: parts.length ? parts.join(':') : undefined, host, container };
  });
}

export function exposedPorts(name: string, compose: ComposeFile = loadCompose()): number[] {
  return (composeService(name, compose).expose ?? []).map((p) => Number(String(p).replace(/\/(tcp|udp)$/, '')));
}

/** `depends_on` as service → condition (the list form means `service_started`). */
export function dependsOn(name: string, compose: ComposeFile = loadCompose()): Record<string, string> {
  const d = composeService(name, compose).depends_on ?? {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((s) => [s, 'service_started']));
  return Object.fromEntries(Object.entries(d).map(([s, v]) => [s, v?.condition ?? 'service_started']));
}

/** URLs a service's healthcheck command calls. */
export function healthcheckUrls(name: string, compose: ComposeFile = loadCompose()): string[] {
  const test = composeService(name, compose).healthcheck?.test;
  const text = Array.isArray(test) ? test.join(' ') : (test ?? '');
  return [...text.matchAll(/https?:\/\/[^\s'"`)]+/g)].map((m) => m[0]);
}

/** `KAFKA_ADVERTISED_LISTENERS` of the broker service as `{ listener, host, port }`. */
export function kafkaAdvertisedListeners(service = 'kafka', compose: ComposeFile = loadCompose()): { listener: string; host: string; port: number }[] {
  return (composeEnv(service, compose)['KAFKA_ADVERTISED_LISTENERS'] ?? '')
    .split(',')
    .map((l) => /^([A-Za-z0-9_]+):\/\/([^:]+):(\d+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, listener = '', host = '', port]) => ({ listener, host, port: Number(port) }));
}

/** Env entries anywhere in the file whose name says secret (password, token, secret, key). */
export function secretLookingEnv(compose: ComposeFile = loadCompose()): { service: string; key: string; value: string }[] {
  return Object.keys(compose.services).flatMap((service) =>
    Object.entries(composeEnv(service, compose))
      .filter(([key]) => /PASSWORD|PASSWD|_PWD$|TOKEN|SECRET|API_KEY|PRIVATE_KEY/i.test(key))
      .map(([key, value]) => ({ service, key, value })),
  );
}

/** Config-schema keys with neither a default nor `.optional()` (zod 4: parsing `undefined` fails). */
export function requiredConfigKeys(schema: { shape: Record<string, { safeParse(value: unknown): { success: boolean } }> }): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key)
    .sort();
}

type ConfigSchema = Parameters<typeof requiredConfigKeys>[0] & { safeParse(value: unknown): { error?: { issues: unknown[] } } };

/**
 * The config contract every app's compose services keep (call inside a describe): each env name is a
 * key of the app's config schema, every required key is set, and the environment — placeholders for
 * `${…}` variables — passes the schema, as the app's start-up would.
 */
export function itKeepsTheConfigContract(label: string, services: readonly string[], schema: ConfigSchema): void {
  const keys = Object.keys(schema.shape);
  it.each(services.flatMap((service) => Object.keys(composeEnv(service)).map((key) => [service, key] as const)))(
    `%s sets %s, which the ${label} config schema declares`,
    (_service, key) => {
      expect(keys).toContain(key);
    },
  );

  it.each(requiredConfigKeys(schema).flatMap((key) => services.map((service) => [service, key] as const)))('%s sets the required config key %s', (service, key) => {
    expect(composeEnv(service)).toHaveProperty(key);
  });

  it.each([...services])(`%s environment, with placeholders for \${…} variables, passes the ${label} config schema`, (service) => {
    expect(schema.safeParse(resolvedComposeEnv(service)).error?.issues ?? []).toEqual([]);
  });
}
