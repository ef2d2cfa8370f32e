/** RFC 7644 §3.12, Table 9: the `scimType` values a 400 (or 409 for uniqueness) error may carry. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export const SCHEMA_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

const SCIM_TYPES: readonly ScimType[] = [
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
];

export function isScimType(value: unknown): value is ScimType {
  return typeof value === 'string' && (SCIM_TYPES as readonly string[]).includes(value);
}

/**
 * The one error type the SCIM libs throw. `status` is the HTTP status; `headers` carries extra response
 * headers such as `Retry-After` on 429/503 (Entra pauses a job on 429 + Retry-After instead of failing it).
 */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

function retryAfter(seconds: number): Record<string, string> {
  // RFC 9110 §10.2.3: delay-seconds is a non-negative integer.
  return { 'Retry-After': String(Math.max(0, Math.ceil(seconds))) };
}

/** The error catalogue: every SCIM error in the codebase is built here so status and scimType never drift apart. */
export const ScimErrors = {
  invalidSyntax: (detail: string) => new ScimError(400, 'invalidSyntax', detail),
  invalidValue: (detail: string) => new ScimError(400, 'invalidValue', detail),
  invalidFilter: (detail: string) => new ScimError(400, 'invalidFilter', detail),
  tooMany: (detail: string) => new ScimError(400, 'tooMany', detail),
  // RFC 7644 §3.3: a uniqueness conflict on create/replace is 409, not 400.
  uniqueness: (detail: string) => new ScimError(409, 'uniqueness', detail),
  mutability: (detail: string) => new ScimError(400, 'mutability', detail),
  invalidPath: (detail: string) => new ScimError(400, 'invalidPath', detail),
  noTarget: (detail: string) => new ScimError(400, 'noTarget', detail),
  invalidVers: (detail: string) => new ScimError(400, 'invalidVers', detail),
  sensitive: (detail: string) => new ScimError(400, 'sensitive', detail),
  notFound: (detail: string) => new ScimError(404, undefined, detail),
  unauthorized: (detail: string) => new ScimError(401, undefined, detail),
  forbidden: (detail: string) => new ScimError(403, undefined, detail),
  methodNotAllowed: (detail: string) => new ScimError(405, undefined, detail),
  preconditionFailed: (detail: string) => new ScimError(412, undefined, detail),
  payloadTooLarge: (detail: string) => new ScimError(413, undefined, detail),
  unsupportedMediaType: (detail: string) => new ScimError(415, undefined, detail),
  tooManyRequests: (detail: string, retryAfterSeconds: number) =>
    new ScimError(429, undefined, detail, retryAfter(retryAfterSeconds)),
  serviceUnavailable: (detail: string, retryAfterSeconds: number) =>
    new ScimError(503, undefined, detail, retryAfter(retryAfterSeconds)),
  // Only the request id leaves the process; the cause is logged next to the same id, never sent to the client.
  internal: (requestId: string) => new ScimError(500, undefined, `internal error, request id ${requestId}`),
} as const;

export interface ScimErrorBody {
  schemas: string[];
  status: string;
  scimType?: string;
  detail: string;
}

/** RFC 7644 §3.12 body. `status` is a JSON string there ("400"), not a number. */
export function toErrorBody(e: ScimError): ScimErrorBody {
  const body: ScimErrorBody = { schemas: [SCHEMA_ERROR], status: String(e.status), detail: e.detail };
  if (e.scimType !== undefined) body.scimType = e.scimType;
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseStatus(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{3}$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 400 && n <= 599 ? n : undefined;
}

/**
 * Rebuilds a ScimError from an RFC 7644 §3.12 body, e.g. a reply that crossed Kafka. Accepts `status` as a string
 * (the RFC form) or a number; anything unreadable falls back to `fallbackStatus`. A non-standard `headers` object of
 * string values is carried over when present so a 429/503 keeps its Retry-After across the hop.
 */
export function errorFromBody(body: unknown, fallbackStatus: number): ScimError {
  if (!isRecord(body)) return new ScimError(fallbackStatus, undefined, 'error');
  const status = parseStatus(body['status']) ?? fallbackStatus;
  const scimType = isScimType(body['scimType']) ? body['scimType'] : undefined;
  const detail = typeof body['detail'] === 'string' ? body['detail'] : 'error';
  const rawHeaders = body['headers'];
  let headers: Record<string, string> | undefined;
  if (isRecord(rawHeaders)) {
    const entries = Object.entries(rawHeaders).filter((e): e is [string, string] => typeof e[1] === 'string');
    if (entries.length > 0) headers = Object.fromEntries(entries);
  }
  return new ScimError(status, scimType, detail, headers);
}
