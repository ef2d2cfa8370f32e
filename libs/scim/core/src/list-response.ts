import { SCHEMA_LIST_RESPONSE } from './schemas';

export interface ListResponse {
  schemas: [string];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: unknown[];
}

function requireInteger(name: string, value: number): number {
  // Okta's import rejects pages whose counters are not JSON integers; a fraction here is a caller bug.
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

/**
 * RFC 7644 §3.4.2 ListResponse. `itemsPerPage` is the number of resources actually returned on this page, and
 * `Resources` is present even when empty: Okta and Entra both expect `totalResults: 0` with an empty 200, not a 404.
 */
export function listResponse(resources: unknown[], opts: { totalResults: number; startIndex: number }): ListResponse {
  return {
    schemas: [SCHEMA_LIST_RESPONSE],
    totalResults: requireInteger('totalResults', opts.totalResults),
    startIndex: requireInteger('startIndex', opts.startIndex),
    itemsPerPage: resources.length,
    Resources: [...resources],
  };
}
