// Lint rules that catch the defects this project has met: promises nobody awaits (a transmit
// reported done before it is), promises where a callback must return nothing, and workflow or
// domain code reaching for I/O or non-deterministic modules (which breaks replay). contracts/ (the
// workflows' messages) is imported by workflow code, so it is held to the same rules.
import tseslint from 'typescript-eslint';

const nodeAndIo = [
  {
    group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https'],
    message: 'Workflow and domain code is deterministic and does no I/O: move this to an activity.',
  },
  { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Workflow code may import only @temporalio/workflow (and types).' },
  { group: ['axios', 'pg', 'kysely', 'sharp', 'fastify'], message: 'No I/O libraries in workflow or domain code.' },
  {
    // The platform declarations index is the one exception: pure data, held to this same rule below.
    group: [
      '../activities/*',
      '../db/*',
      '../services/*',
      '../api/*',
      '../runtime/*',
      '../media/*',
      '../adapters/*',
      '!../adapters/declarations.js',
      '../simulators/*',
      '../config/*',
    ],
    message: 'Workflow and domain code import other layers as types only (import type …).',
    allowTypeImports: true,
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.govpub/**', 'web/src/**', 'web/dist/**', 'test/histories/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-fallthrough': 'error',
      'no-self-compare': 'error',
      'no-unsafe-finally': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts', 'contracts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: nodeAndIo }],
    },
  },
  {
    // Platform declarations are imported by domain code (the platform lists derive from them), so
    // they do no I/O and import other modules as types only; the index imports the declarations,
    // and a declaration its post-link rule (written with adapters/post-link-refusals.ts).
    files: [
      'adapters/declarations.ts',
      'adapters/platform-declaration.ts',
      'adapters/*/declaration.ts',
      'adapters/*/post-links.ts',
      'adapters/post-link-refusals.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...nodeAndIo.slice(0, 3),
            {
              // platform-declaration.ts is held to this same rule: its shared facts may be imported.
              group: ['../*', '../../*', '!./*/declaration.js', '!../platform-declaration.js', '!../post-link-refusals.js'],
              message: 'A platform declaration is pure data: import other modules as types only.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
