import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'example-platform',
    // Suite-wide secret hygiene: no token, nor a piece of one, in anything logged, emitted or thrown.
    setupFiles: ['../../scripts/vitest-secret-hygiene.ts'],
    include: ['*.test.ts'],
    testTimeout: 20_000,
  },
})
