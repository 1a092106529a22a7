import { defineConfig } from 'tsup'

export default defineConfig({
  // `node` is the Node-only subpath `@ocpi-credentials/core/node`; the main entry never imports it.
  entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2023',
  // Shared chunks in both formats: the two entries share one `OcpiError` class (tsup splits ESM only
  // by default, which would give the CJS `node` entry a copy and break `instanceof OcpiError`).
  splitting: true,
})
