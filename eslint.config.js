// ESLint, flat config: typescript-eslint's type-aware rules judge the code, Prettier (.prettierrc.json) formats it.
// Why ESLint + Prettier and not Biome: Biome formats and lints faster from one binary, but its linter has no type
// information, so it cannot see a floating or misused promise (a missed `await` on a store write, an async callback
// handed to an event emitter), which is the class of bug this server can least afford; typescript-eslint's
// no-floating-promises and no-misused-promises read the types and do. Prettier stays the formatter; ESLint runs no
// formatting rules, so the two never disagree.
//
// Scope: `npm run lint` covers src/ (and the tooling); `npm run lint:all` adds test/ and bench/, held to the same
// promise rules.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const NODE_GLOBALS = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'module', 'require'].map(
    (name) => [name, 'readonly'],
  ),
);

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', '.tmp/**', 'model/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Promises: every one is awaited, returned, or explicitly `void`ed; none goes where a callback's result is ignored.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Unused code: locals, parameters and imports. A leading underscore marks a parameter kept for its position; a
      // rest sibling (`const { seq, ...row } = r`) is how a property is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // Imports used only as types say so, so they are erased without a doubt and never load a module for nothing.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // An async function without await still turns a throw into a rejection and keeps a Promise-returning contract
      // (handlers, ports); making it sync to please this rule would change how its errors travel.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Kysely migrations take `Kysely<any>` by design: a migration must keep working against the schema as it was
    // when written, not against today's Database type (Kysely's own guidance).
    files: ['src/storage/migrations/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests and benchmarks read wire JSON and browser globals as `any` on purpose; node:test's describe/it return
    // promises the runner itself awaits.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Tooling in plain JavaScript (scripts/, this file, the dependency-cruiser config): Node globals, no types.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: NODE_GLOBALS },
  },
);
