import { createTenant, scim, uniqueSlug, type ScimResponse } from '@taskize/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Replays the recorded Okta and Entra conversations in fixtures/{okta,entra}/*.json (STYLE.md: "recorded Okta/Entra
 * requests as fixtures replayed by one test"; shapes from shared/notes/idp-requests.md, each file names its source).
 *
 * Placeholders: `{{name}}` is a fixture var (templates over the built-ins `{{run}}`, unique per run, and `{{uuid}}`,
 * fresh per use) or a value captured from an earlier response. `{{name|url}}` is percent-encoded as Okta sends it,
 * `{{name|form}}` form-encoded (spaces as `+`) as Entra sends it. A string that is exactly one `{{name}}` becomes the
 * value itself, so a captured object (Okta's PUT re-sends `meta`) stays an object.
 */
interface Step {
  request: { method: string; path: string; headers?: Record<string, string>; body?: unknown };
  expect: {
    status: number;
    /** Partial match (toMatchObject). */
    body?: Record<string, unknown>;
    /** Dot paths that must not be in the body. */
    absent?: string[];
    /** Dot path → elements the array must hold, in any order, and nothing else (member lists come back in id order). */
    unordered?: Record<string, Record<string, unknown>[]>;
    /** Header name → regular expression. */
    headers?: Record<string, string>;
    /** Var name → dot path in the response body. */
    capture?: Record<string, string>;
  };
}

interface Fixture {
  name: string;
  source: string;
  vars?: Record<string, string>;
  steps: Step[];
}

const FIXTURES = join(__dirname, 'fixtures');
const files = ['okta', 'entra'].flatMap((dialect) =>
  readdirSync(join(FIXTURES, dialect))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${dialect}/${f}`),
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadFixture(file: string): Fixture {
  const raw: unknown = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
  const ok =
    isRecord(raw) &&
    raw['name'] === basename(file, '.json') &&
    typeof raw['source'] === 'string' &&
    Array.isArray(raw['steps']) &&
    raw['steps'].every((s: unknown) => isRecord(s) && isRecord(s['request']) && isRecord(s['expect']) && typeof s['expect']['status'] === 'number');
  if (!ok) throw new Error(`${file}: not a fixture (needs name = file name, source, and steps with request and expect.status)`);
  return raw as unknown as Fixture;
}

type Vars = Map<string, unknown>;

const PLACEHOLDER = /\{\{(\w+)(?:\|(url|form))?\}\}/g;
const WHOLE = /^\{\{(\w+)\}\}$/;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function lookup(vars: Vars, name: string): unknown {
  if (!vars.has(name)) throw new Error(`unknown placeholder {{${name}}} (not a var, nor captured by an earlier step)`);
  return vars.get(name);
}

function fillText(template: string, vars: Vars, escape: (s: string) => string = (s) => s): string {
  return template.replace(PLACEHOLDER, (_, name: string, encoding: string | undefined) => {
    const value = lookup(vars, name);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (encoding === 'url') return encodeURIComponent(text);
    if (encoding === 'form') return encodeURIComponent(text).replace(/%20/g, '+');
    return escape(text);
  });
}

function fill(value: unknown, vars: Vars): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    return whole ? lookup(vars, whole[1]!) : fillText(value, vars);
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  return value;
}

/**
 * `Resources.0.id` style paths; undefined when any segment is missing. Keys may hold dots themselves (the enterprise
 * extension URN has "2.0"), so the longest key that matches wins.
 */
function getPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  const parts = path.split('.');
  if (Array.isArray(value)) return getPath(value[Number(parts[0])], parts.slice(1).join('.'));
  if (!isRecord(value)) return undefined;
  for (let n = parts.length; n > 0; n--) {
    const key = parts.slice(0, n).join('.');
    if (Object.hasOwn(value, key)) return getPath(value[key], parts.slice(n).join('.'));
  }
  return undefined;
}

function initialVars(fixture: Fixture): Vars {
  const run = uniqueSlug('d');
  const vars: Vars = new Map([['run', run]]);
  for (const [name, template] of Object.entries(fixture.vars ?? {})) {
    vars.set(name, template.replace(/\{\{(run|uuid)\}\}/g, (_, builtin: string) => (builtin === 'run' ? run : randomUUID())));
  }
  return vars;
}

async function send(step: Step, vars: Vars, token: string): Promise<ScimResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.request.headers ?? {})) headers[name.toLowerCase()] = fillText(value, vars);
  const contentType = headers['content-type'];
  delete headers['content-type'];
  const path = fillText(step.request.path, vars);
  const rawBody = step.request.body === undefined ? undefined : JSON.stringify(fill(step.request.body, vars));
  // Fixtures never hold tokens: the tenant's goes in unless the step sends its own Authorization.
  return scim(step.request.method, path, { token: headers['authorization'] === undefined ? token : undefined, headers, rawBody, contentType });
}

function check(step: Step, res: ScimResponse, vars: Vars): void {
  const { status, body, absent, unordered, headers, capture } = step.expect;
  expect(res.status).toBe(status);
  for (const [name, path] of Object.entries(capture ?? {})) {
    const value = getPath(res.body, path);
    if (value === undefined) throw new Error(`capture ${name}: no "${path}" in the response`);
    vars.set(name, value);
  }
  if (body !== undefined) expect(res.body).toMatchObject(fill(body, vars) as Record<string, unknown>);
  for (const path of absent ?? []) {
    if (getPath(res.body, path) !== undefined) throw new Error(`"${path}" must be absent, got ${JSON.stringify(getPath(res.body, path))}`);
  }
  for (const [path, elements] of Object.entries(unordered ?? {})) {
    const wanted = fill(elements, vars) as Record<string, unknown>[];
    const actual = getPath(res.body, path);
    expect(actual).toHaveLength(wanted.length);
    expect(actual).toEqual(expect.arrayContaining(wanted.map((e) => expect.objectContaining(e))));
  }
  for (const [name, pattern] of Object.entries(headers ?? {})) {
    expect(res.headers.get(name) ?? '').toMatch(new RegExp(fillText(pattern, vars, escapeRegExp)));
  }
}

describe('recorded Okta and Entra conversations', () => {
  it.each(files)('%s', async (file) => {
    const fixture = loadFixture(file);
    const tenant = await createTenant('dialect');
    const vars = initialVars(fixture);
    for (const [index, step] of fixture.steps.entries()) {
      const label = `${fixture.name} step ${index} (${step.request.method} ${step.request.path})`;
      let res: ScimResponse | undefined;
      try {
        res = await send(step, vars, tenant.token);
        check(step, res, vars);
      } catch (error) {
        const answer = res === undefined ? '' : `\nanswer ${res.status}: ${res.text.slice(0, 2_000)}`;
        throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}${answer}`);
      }
    }
  });
});
