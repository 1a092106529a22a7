// The root Vitest config (Vitest >= 4 replaced workspace files with `test.projects`; the design keeps
// this file name). Root scripts point at it with `--config vitest.workspace.ts`.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/platform'],
  },
})
