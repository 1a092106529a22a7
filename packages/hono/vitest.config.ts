import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: {
    // The core's package.json points at its build; tests run against its sources instead.
    alias: { '@ocpi-credentials/core': fileURLToPath(new URL('../core/src/index.ts', import.meta.url)) },
  },
  test: {
    // Suite-wide secret hygiene: no token, nor a piece of one, in anything logged, emitted or thrown.
    setupFiles: ['../../scripts/vitest-secret-hygiene.ts'],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
})
