import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2023',
  // Never bundle the core (tsconfig paths point at its sources for type checking) nor the framework.
  external: ['@ocpi-credentials/core', 'pg'],
})
