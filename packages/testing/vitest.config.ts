import { defineProject } from 'vitest/config'
import { packageTests } from '../../scripts/package-config.ts'

export default defineProject(packageTests({ sources: ['core'] }))
