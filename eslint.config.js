// ESLint flat config: typescript-eslint's recommended rules, Prettier owns formatting, and the
// layer rules of the architecture (see docs/ and the README) enforced by eslint-plugin-boundaries.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import boundaries from 'eslint-plugin-boundaries';

const resolver = fileURLToPath(new URL('./scripts/eslint-ts-resolver.cjs', import.meta.url));

/** Node built-ins that touch the world (files, processes, threads, the network, the clock's host). */
const IMPURE_BUILTINS = [
  'fs',
  'fs/promises',
  'child_process',
  'process',
  'worker_threads',
  'os',
  'net',
  'http',
  'https',
  'dgram',
  'cluster',
  'readline',
  'tty',
  'v8',
  'vm',
  'stream',
  'module',
];
const impureBuiltins = IMPURE_BUILTINS.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/data/**', 'bench/out/**', 'reports/**', 'tmp/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      // `cond ? a++ : b++` and `x && f()` are used deliberately as statements in tight loops.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // ---- Layer rules -------------------------------------------------------------------------------
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { [resolver]: {} },
      'boundaries/include': ['src/**/*.ts'],
      'boundaries/elements': [
        { type: 'core', pattern: 'src/core' },
        { type: 'io', pattern: 'src/io' },
        { type: 'app', pattern: 'src/app' },
        { type: 'report', pattern: 'src/report' },
        { type: 'cli', pattern: 'src/cli' },
      ],
      // The version string: a constant any layer may read.
      'boundaries/ignore': ['src/version.ts'],
    },
    rules: {
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: [
            // core is pure logic: it knows no other layer.
            {
              from: { element: { type: 'core' } },
              disallow: { to: { element: { types: { anyOf: ['io', 'app', 'report', 'cli'] } } } },
            },
            // report renders what it is given: no files, no use cases, no commands.
            {
              from: { element: { type: 'report' } },
              disallow: { to: { element: { types: { anyOf: ['io', 'app', 'cli'] } } } },
            },
            // io reads and writes; it does not call use cases, renderers or commands.
            {
              from: { element: { type: 'io' } },
              disallow: { to: { element: { types: { anyOf: ['app', 'report', 'cli'] } } } },
            },
            // use cases never reach back into the command-line adapter.
            { from: { element: { type: 'app' } }, disallow: { to: { element: { type: 'cli' } } } },
            // The cli is a thin adapter: its work goes through src/app; from core it takes only types
            // (and the errors, which it maps to exit codes); io and report are not its business.
            {
              from: { element: { type: 'cli' } },
              disallow: { to: { element: { types: { anyOf: ['io', 'report'] } } } },
            },
            {
              from: { element: { type: 'cli' } },
              disallow: { to: { element: { type: 'core' } }, dependency: { kind: 'value' } },
            },
            {
              from: { element: { type: 'cli' } },
              allow: { to: { element: { type: 'core' }, file: { path: 'src/core/errors.ts' } } },
            },
            // The one vocabulary for printing: how numbers, percentages and dates are written and
            // read, and the closed table of measure labels. Pure value formatting, no work.
            {
              from: { element: { type: 'cli' } },
              allow: {
                to: {
                  element: { type: 'core' },
                  file: { path: ['src/core/format.ts', 'src/core/dates.ts', 'src/core/analysis/measures.ts'] },
                },
              },
            },
          ],
        },
      ],
    },
  },
  // core: no files, processes or threads (randomness and the clock are injected by callers).
  // node:crypto stays allowed: hashing is a pure function of its input (digests, HMAC streams).
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: impureBuiltins.map((name) => ({ name, message: 'src/core is pure: do I/O in src/io or src/app.' })) },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/core is pure: pass what it needs in.' }],
    },
  },

  prettier,
);
