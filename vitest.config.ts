import { defineConfig } from 'vitest/config';

/**
 * Two projects (see test/README.md):
 * - unit: everything that runs in this process, the CLI included through main(); `npm run test:unit`.
 * - e2e: tests that need the built binary or a real child process (test/e2e).
 * `npm test` runs both.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    pool: 'forks',
    // Every core: vitest's default leaves one idle, which on a 2-core machine runs the files one at a time.
    maxWorkers: '100%',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          // Files share a worker's module cache (imports were a third of the run). Tests must not rely
          // on module state left by another file: the in-process CLI runner resets process.exitCode
          // and the environment it changes.
          isolate: false,
          exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
        },
      },
    ],
  },
});
