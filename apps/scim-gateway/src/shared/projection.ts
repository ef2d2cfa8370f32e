import { SCHEMA_GROUP, SCHEMA_USER } from '@taskize/scim-core';

type Json = Record<string, unknown>;

/** `attributes` / `excludedAttributes` query values: comma-separated, case-insensitive paths (RFC 7644 §3.9). */
export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

/** Attributes returned whatever the request says (RFC 7643 §7 "returned: always", and `schemas`). */
const ALWAYS = new Set(['id', 'schemas']);
const CORE = new Set([SCHEMA_USER.toLowerCase(), SCHEMA_GROUP.toLowerCase()]);

export function parseProjection(query: Record<string, string | undefined>): Projection {
  const list = (v: string | undefined) =>
    v
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const attributes = list(query['attributes']);
  const excludedAttributes = list(query['excludedAttributes']);
  return { ...(attributes?.length ? { attributes } : {}), ...(excludedAttributes?.length ? { excludedAttributes } : {}) };
}

interface Path {
  /** Extension URN key in the resource, when the path is qualified by a non-core schema. */
  extension?: string;
  attr: string;
  sub?: string;
}

function parsePath(raw: string): Path {
  let text = raw;
  let extension: string | undefined;
  if (text.toLowerCase().startsWith('urn:')) {
    const cut = text.lastIndexOf(':');
    const schema = text.slice(0, cut);
    text = text.slice(cut + 1);
    if (!CORE.has(schema.toLowerCase())) extension = schema;
  }
  const [attr = '', sub] = text.split('.');
  return { ...(extension ? { extension } : {}), attr, ...(sub ? { sub } : {}) };
}

const findKey = (obj: Json, name: string) => Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());

/** Whether a projection asks for (or leaves in) the given top-level attribute, e.g. `members`. */
export function wantsAttribute(p: Projection, name: string): boolean {
  const n = name.toLowerCase();
  if (p.excludedAttributes?.some((a) => parsePath(a).attr.toLowerCase() === n && !parsePath(a).sub)) return false;
  if (p.attributes) return p.attributes.some((a) => parsePath(a).attr.toLowerCase() === n);
  return true;
}

function pick(source: Json, target: Json, path: Path): void {
  const container = path.extension ? source[findKey(source, path.extension) ?? ''] : source;
  if (typeof container !== 'object' || container === null) return;
  const key = findKey(container as Json, path.attr);
  if (!key) return;
  const value = (container as Json)[key];
  const out = path.extension ? ((target[findKey(source, path.extension) ?? path.extension] ??= {}) as Json) : target;
  if (!path.sub) {
    out[key] = value;
    return;
  }
  const pickSub = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return undefined;
    const sk = findKey(v as Json, path.sub ?? '');
    return sk ? { [sk]: (v as Json)[sk] } : undefined;
  };
  if (Array.isArray(value)) {
    const prev = Array.isArray(out[key]) ? (out[key] as Json[]) : value.map(() => ({}));
    out[key] = value.map((v, i) => ({ ...prev[i], ...pickSub(v) }));
  } else {
    const sub = pickSub(value);
    if (sub) out[key] = { ...((out[key] as Json) ?? {}), ...sub };
  }
}

function drop(target: Json, path: Path): void {
  const container = path.extension ? target[findKey(target, path.extension) ?? ''] : target;
  if (typeof container !== 'object' || container === null) return;
  const key = findKey(container as Json, path.attr);
  if (!key || (!path.extension && ALWAYS.has(key))) return;
  const c = container as Json;
  if (!path.sub) {
    delete c[key];
    return;
  }
  const strip = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return v;
    const copy = { ...(v as Json) };
    const sk = findKey(copy, path.sub ?? '');
    if (sk) delete copy[sk];
    return copy;
  };
  c[key] = Array.isArray(c[key]) ? (c[key] as unknown[]).map(strip) : strip(c[key]);
}

/** Applies a projection to a rendered resource; `id` and `schemas` always stay. Returns a new object. */
export function project(resource: Json, p: Projection): Json {
  if (p.attributes) {
    const out: Json = {};
    for (const key of Object.keys(resource)) if (ALWAYS.has(key)) out[key] = resource[key];
    for (const raw of p.attributes) pick(resource, out, parsePath(raw));
    return out;
  }
  if (p.excludedAttributes) {
    const out = structuredClone(resource);
    for (const raw of p.excludedAttributes) drop(out, parsePath(raw));
    return out;
  }
  return resource;
}
