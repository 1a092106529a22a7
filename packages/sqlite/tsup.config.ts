import { defineConfig } from 'tsup'
import { packageBuild } from '../../scripts/package-config.ts'

export default defineConfig(
  packageBuild({
    platform: 'node',
    // node:sqlite exists only under its `node:` name: keep the prefix tsup would strip.
    removeNodeProtocol: false,
    external: ['@ocpi-credentials/core'],
  }),
)
