import { defineConfig } from 'tsup'
import { packageBuild } from '../../scripts/package-config.ts'

// Never bundle the core nor the package's peers.
export default defineConfig(packageBuild({ external: ['@ocpi-credentials/core', 'vitest', 'msw'] }))
