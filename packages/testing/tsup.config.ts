import { defineConfig } from 'tsup'
import { packageBuild } from '../../scripts/package-config.ts'

// Never bundle the core nor the package's peers. ESM only: vitest, which the suites import, cannot be
// required (its CommonJS entry throws), so a CommonJS build of this package could never load.
export default defineConfig(
  packageBuild({ external: ['@ocpi-credentials/core', 'vitest', 'msw'], format: ['esm'] as 'esm'[] }),
)
