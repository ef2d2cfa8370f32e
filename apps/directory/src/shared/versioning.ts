import { ScimErrors } from '@taskize/scim-core';

/** `W/"3"` — meta.version and the ETag header (RFC 7644 §3.14; weak: the JSON may be re-serialised). */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/**
 * If-Match (RFC 7232 §3.1): `*` or a list of entity tags; weak and strong forms of our tag both
 * match (the client echoes what we sent). Checked inside the transaction against the locked row, so
 * two clients racing on the same version cannot both win.
 */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (tags.includes('*')) return;
  const ours = `"${version}"`;
  if (!tags.some((t) => t === ours || t === `W/${ours}`)) {
    throw ScimErrors.preconditionFailed(`resource version is ${etagOf(version)}, not ${ifMatch}`);
  }
}
