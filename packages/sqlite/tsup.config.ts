import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2023',
  platform: 'node',
  // node:sqlite exists only under its `node:` name: keep the prefix tsup would strip.
  removeNodeProtocol: false,
  // Never bundle the core (tsconfig paths point at its sources for type checking).
  external: ['@ocpi-credentials/core'],
})
