import { SCHEMA_PATCH_OP, ScimError } from '@taskize/scim-core';

/** A PATCH body around raw operations, as a client sends it. */
export function patchBody(operations: unknown[]): Record<string, unknown> {
  return { schemas: [SCHEMA_PATCH_OP], Operations: operations };
}

/** Runs `fn` and returns the ScimError it throws; fails the test if it throws something else or nothing. */
export function scimErrorOf(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError, but nothing was thrown');
}
