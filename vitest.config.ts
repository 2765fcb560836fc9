// Two projects: unit tests beside the code (against sources) and integration tests in
// test/ (against the built packages, through their public entry points).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        resolve: {
          alias: [
            { find: /^@runtrace\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
            { find: /^@runtrace\/([a-z-]+)\/internal$/, replacement: `${packagesDir}$1/src/internal-api.ts` },
          ],
        },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
