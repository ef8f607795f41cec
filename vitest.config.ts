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
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
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
