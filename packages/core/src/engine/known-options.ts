import { OcpiError } from '../errors.js'

/**
 * Refuses an options object with a name outside `allowed` (`ERR_OCPI_INVALID_INPUT`), so a misspelt
 * option (`expectedorigin`, `versoin`) fails loudly instead of the call going ahead on the default.
 * Anything but a plain object (or `undefined`) is refused too. The message names the allowed options.
 *
 * @example
 * ```ts
 * onlyKnownOptions(options, ['expectedOrigin'], 'revoke')
 * ```
 */
export function onlyKnownOptions(options: unknown, allowed: readonly string[], what: string): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `${what}: options must be an object`)
  }
  if (Object.keys(options).some((name) => !allowed.includes(name))) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `${what}: unknown option (allowed: ${allowed.join(', ')})`)
  }
}
