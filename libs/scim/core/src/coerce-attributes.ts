import { ScimErrors } from './errors';
import type { AttributeDefinition } from './schemas';

export interface CoerceLimits {
  /** Cap for string, reference and dateTime values. */
  readonly maxStringLength: number;
  /** Cap for `binary` values (base64 x509 certificates are a few KB, far above the string cap). */
  readonly maxBinaryLength: number;
  /** Cap on the number of entries of one multi-valued attribute. */
  readonly maxMultiValued: number;
}

export const DEFAULT_LIMITS: CoerceLimits = { maxStringLength: 1024, maxBinaryLength: 16384, maxMultiValued: 100 };

export interface CoerceOptions {
  readonly limits?: CoerceLimits;
  /** Drop writeOnly attributes (e.g. `password`) without validating them. */
  readonly dropWriteOnly?: boolean;
  /** Prefix for error details, e.g. the extension URN. */
  readonly path?: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Entra sends booleans as strings ("True"/"False") unless the aadOptscim062020 flag is set, both on POST
 * (`"active":"True"`) and in PATCH values, so the string forms are accepted case-insensitively.
 */
export function coerceBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw ScimErrors.invalidValue(`${path} must be a boolean`);
}

/**
 * Maps a body's keys onto canonical attribute names, case-insensitively (RFC 7643 §2.1). Two keys naming the
 * same attribute (`userName` and `USERNAME`) are ambiguous and rejected rather than silently picking one.
 */
function indexKeys(body: Record<string, unknown>, path: string): Map<string, string> {
  const index = new Map<string, string>();
  for (const key of Object.keys(body)) {
    const lower = key.toLowerCase();
    const seen = index.get(lower);
    if (seen !== undefined) throw ScimErrors.invalidValue(`${join(path, key)} is given more than once ("${seen}", "${key}")`);
    index.set(lower, key);
  }
  return index;
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/**
 * Validates and normalises one level of a resource body against attribute definitions. Returns a new object keyed
 * by canonical names in definition order. Unknown attributes are dropped; `null` means absent (RFC 7644 §3.5.1,
 * Entra sends `"phoneNumbers": null`). Top-level readOnly attributes (`id`, `meta`, `groups`) are ignored, as
 * RFC 7644 §3.5.1 requires. Throws only ScimError (invalidValue).
 */
export function coerceAttributes(
  body: Record<string, unknown>,
  definitions: readonly AttributeDefinition[],
  options: CoerceOptions = {},
): Record<string, unknown> {
  return coerceObject(body, definitions, options.path ?? '', options, true);
}

function coerceObject(
  body: Record<string, unknown>,
  definitions: readonly AttributeDefinition[],
  path: string,
  options: CoerceOptions,
  topLevel: boolean,
): Record<string, unknown> {
  const keys = indexKeys(body, path);
  const out: Record<string, unknown> = {};
  for (const def of definitions) {
    const key = keys.get(def.name.toLowerCase());
    if (key === undefined) continue;
    if (topLevel && def.mutability === 'readOnly') continue;
    if (def.mutability === 'writeOnly' && options.dropWriteOnly) continue;
    const raw = body[key];
    if (raw === null || raw === undefined) continue;
    out[def.name] = coerceValue(def, raw, join(path, def.name), options);
  }
  return out;
}

/** Coerces one attribute value (single or multi-valued) per its definition. */
export function coerceValue(def: AttributeDefinition, raw: unknown, path: string, options: CoerceOptions = {}): unknown {
  if (!def.multiValued) return coerceSingle(def, raw, path, options);
  const limits = options.limits ?? DEFAULT_LIMITS;
  if (!Array.isArray(raw)) throw ScimErrors.invalidValue(`${path} must be an array`);
  if (raw.length > limits.maxMultiValued) {
    throw ScimErrors.invalidValue(`${path} has more than ${limits.maxMultiValued} values`);
  }
  const values: unknown[] = [];
  raw.forEach((item: unknown, i) => {
    if (item === null) return;
    values.push(coerceSingle(def, item, `${path}[${i}]`, options));
  });
  // RFC 7643 §2.4: the primary attribute value "true" MUST appear no more than once.
  const primaries = values.filter((v) => isRecord(v) && v['primary'] === true).length;
  if (primaries > 1) throw ScimErrors.invalidValue(`${path} has more than one primary value`);
  return values;
}

function coerceSingle(def: AttributeDefinition, raw: unknown, path: string, options: CoerceOptions): unknown {
  const limits = options.limits ?? DEFAULT_LIMITS;
  switch (def.type) {
    case 'complex':
      if (!isRecord(raw)) throw ScimErrors.invalidValue(`${path} must be an object`);
      return coerceObject(raw, def.subAttributes ?? [], path, options, false);
    case 'boolean':
      return coerceBoolean(raw, path);
    case 'integer':
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) throw ScimErrors.invalidValue(`${path} must be an integer`);
      return raw;
    case 'decimal':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw ScimErrors.invalidValue(`${path} must be a number`);
      return raw;
    case 'binary':
      return checkString(raw, path, limits.maxBinaryLength);
    case 'string':
    case 'reference':
    case 'dateTime':
      return checkString(raw, path, limits.maxStringLength);
  }
}

function checkString(raw: unknown, path: string, max: number): string {
  if (typeof raw !== 'string') throw ScimErrors.invalidValue(`${path} must be a string`);
  if (raw.length > max) throw ScimErrors.invalidValue(`${path} is longer than ${max} characters`);
  return raw;
}
