// What every package's build and test configuration shares. Plain objects (no tsup or Vitest import),
// so that each package's config passes them through its own `defineConfig` / `defineProject`.
import { fileURLToPath } from 'node:url'

/**
 * The tsup options of a package: ESM and CJS with declarations and source maps, for ES2023. `external`
 * names what is never bundled: the core (tsconfig paths point at its sources for type checking) and the
 * package's peers.
 */
export function packageBuild<T extends { external: string[] }>(options: T) {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'] as ('esm' | 'cjs')[],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2023',
    ...options,
  }
}

/** A workspace package's sources, by package directory (`core`, `testing`). */
const sourceOf = (name: string) => fileURLToPath(new URL(`../packages/${name}/src/index.ts`, import.meta.url))

/**
 * The Vitest project of a package: its `src` and `test` tests, run against the sources of the workspace
 * packages it names in `sources` (their package.json points at their builds), with the suite-wide secret
 * hygiene set up last (no token, nor a piece of one, in anything logged, emitted or thrown).
 */
export function packageTests(
  options: { sources?: string[]; setupFiles?: string[]; testTimeout?: number; hookTimeout?: number } = {},
) {
  const { sources = [], setupFiles = [], ...timeouts } = options
  return {
    resolve: {
      alias: Object.fromEntries(sources.map((name) => [`@ocpi-credentials/${name}`, sourceOf(name)])),
    },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      setupFiles: [...setupFiles, '../../scripts/vitest-secret-hygiene.ts'],
      ...timeouts,
    },
  }
}
