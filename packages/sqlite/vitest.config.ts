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
    setupFiles: ['test/setup/silence-sqlite-warning.ts'],
  },
})
