import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'example-platform',
    include: ['*.test.ts'],
    testTimeout: 20_000,
  },
})
