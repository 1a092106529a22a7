import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineProject({
  resolve: {
    // Tests run against the sources of the core and the testing kit (one copy of each).
    alias: {
      '@ocpi-credentials/core': source('../core/src/index.ts'),
      '@ocpi-credentials/testing': source('../testing/src/index.ts'),
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The second: suite-wide secret hygiene (no token, nor a piece of one, in anything logged or thrown).
    setupFiles: ['test/setup/silence-sqlite-warning.ts', '../../scripts/vitest-secret-hygiene.ts'],
  },
})
