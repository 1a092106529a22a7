import { expect, it } from 'vitest'
import { OcpiConfigError, OcpiError } from './errors.js'

it('instanceof holds for the errors of another copy of the package (its CJS and ESM builds side by side)', async () => {
  // A second instance of the module, as an app gets when it both requires and imports the package.
  const path = './errors.js?another-copy'
  const other = (await import(/* @vite-ignore */ path)) as typeof import('./errors.js')
  expect(other.OcpiError).not.toBe(OcpiError)
  const config = new other.OcpiConfigError('bad')
  const conflict = new other.OcpiError('ERR_OCPI_CONFLICT', 'raced')
  expect([config instanceof OcpiError, config instanceof OcpiConfigError]).toEqual([true, true])
  expect([conflict instanceof OcpiError, conflict instanceof OcpiConfigError]).toEqual([true, false])
  expect(new OcpiConfigError('bad')).toBeInstanceOf(other.OcpiConfigError)
  expect([new Error('x') instanceof OcpiError, (null as unknown as object) instanceof OcpiError]).toEqual([
    false,
    false,
  ])
  // The mark is not enumerable: it stays out of what logs and JSON show.
  const marks = Object.getOwnPropertySymbols(config)
  expect(marks.map((mark) => Object.getOwnPropertyDescriptor(config, mark)?.enumerable)).toEqual([false])
})
