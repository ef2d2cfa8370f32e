import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NODE_OPTIONS, repoRoot } from './stack';

describe('service runtime options', () => {
  it('the container image runs the services with the same V8 heap caps as the dev and test stacks', () => {
    const dockerfile = readFileSync(join(repoRoot(), 'deploy/docker/Dockerfile'), 'utf8');
    const value = /NODE_OPTIONS="([^"]*)"/.exec(dockerfile)?.[1];
    expect(value).toBe(SERVICE_NODE_OPTIONS);
    expect(SERVICE_NODE_OPTIONS).toMatch(/--max-old-space-size=\d+/);
  });
});
