import { defineProject } from 'vitest/config'
import { packageTests } from '../../scripts/package-config.ts'

export default defineProject(
  // The suites share one PostgreSQL server; each file works in schemas of its own.
  packageTests({ sources: ['core', 'testing'], testTimeout: 20_000, hookTimeout: 20_000 }),
)
