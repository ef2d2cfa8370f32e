// Two projects: unit specs beside the code (no network), integration specs (*.int-spec.ts) against the
// real broker, MariaDB and service processes started by test/global-setup.
const fs = require('node:fs');
const path = require('node:path');
const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);
// ESM-only packages (jose 6, oidc-provider 9 and its ESM dependencies): Node >= 20.19 require()s them in the
// built services, but Jest's module loader cannot before Node 24.9, so Jest compiles them to CommonJS too.
const ESM_PACKAGES = ['jose', 'oidc-provider', 'quick-lru', 'nanoid', 'oidc-token-hash', '@koa', 'koa', 'koa-compose', 'eta', 'jsesc'];
const transform = {
  '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }],
  '^.+/node_modules/.+\\.m?js$': ['@swc/jest', { swcrc: false, jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/shared/testing/src/stack/global-setup.ts',
      globalTeardown: '<rootDir>/libs/shared/testing/src/stack/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/shared/testing/src/stack/jest-setup.ts'],
    },
  ],
};
