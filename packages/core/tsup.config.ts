import { defineConfig } from 'tsup'
import { packageBuild } from '../../scripts/package-config.ts'

export default defineConfig(
  packageBuild({
    // `node` is the Node-only subpath `@ocpi-credentials/core/node`; the main entry never imports it.
    entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
    // Shared chunks in both formats: the two entries share one `OcpiError` class (tsup splits ESM only
    // by default, which would give the CJS `node` entry a copy and break `instanceof OcpiError`).
    splitting: true,
    external: [],
  }),
)
