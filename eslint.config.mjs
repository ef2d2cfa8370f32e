import nx from '@nx/eslint-plugin';

const infraPackages = ['@nestjs/*', 'typeorm', 'kafkajs', 'mysql2', 'oidc-provider'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['dist', 'node_modules', '.cache', '.nx', 'coverage', 'test-artifacts'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Apps never import apps (an app is not a lib, so no constraint lists type:app as allowed).
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:util', 'type:contract', 'type:infra', 'type:testing'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:util', 'type:contract'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:contract', 'type:infra'] },
            // Pure libs: no framework, no ORM, no broker client.
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contract'], bannedExternalImports: infraPackages },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:util', 'type:contract'], bannedExternalImports: infraPackages },
            // The gateway never touches MySQL: reads go through the directory's read API.
            { sourceTag: 'scope:scim-gateway', bannedExternalImports: ['typeorm', 'mysql2', '@nestjs/typeorm'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
