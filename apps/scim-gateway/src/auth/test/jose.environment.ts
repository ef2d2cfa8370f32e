import { TestEnvironment } from 'jest-environment-node';
import * as jose from 'jose';

/** Where specs find the jose that Node loaded; see `jose-from-host.ts`. */
export const HOST_JOSE = '__hostJose';

/**
 * jose 6 ships only ES modules. Node ≥ 20.19 `require`s them natively (the built gateway relies on that), but
 * Jest's own module loader cannot before Node 24.9, and jest.config.js transforms only our .ts files. A test
 * environment runs outside Jest's sandbox, so it loads the real jose with Node's loader and hands it to the spec,
 * whose `jest.mock('jose', …)` then serves that same module to the code under test. Remove this once jest.config.js
 * transforms jose (transformIgnorePatterns) or the repository moves to Node 24.
 */
export default class JoseEnvironment extends TestEnvironment {
  override async setup(): Promise<void> {
    await super.setup();
    this.global[HOST_JOSE] = jose;
  }
}
