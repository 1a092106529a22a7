// The package is an ES module only: Vitest, which the suites import, cannot be required (its CommonJS
// entry throws), so a CommonJS entry of this package could never load. `require` must fail at once, on
// resolution, rather than offer an entry that throws Vitest's error.
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)

describe('@ocpi-credentials/testing packaging', () => {
  it('offers no entry to require: it fails on resolution', () => {
    expect(() => require.resolve('@ocpi-credentials/testing')).toThrow(
      expect.objectContaining({ code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' }),
    )
  })

  it('resolves for import, to the ES module build', () => {
    expect(import.meta.resolve('@ocpi-credentials/testing')).toMatch(/\/packages\/testing\/dist\/index\.js$/)
  })

  it('could not offer one: Vitest itself cannot be required', () => {
    expect(() => require('vitest')).toThrow(/cannot be imported in a CommonJS module/)
  })
})
