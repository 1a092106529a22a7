import type * as z from 'zod'
import { OcpiError } from '../errors.js'
import { describeIssues } from './credentials-body.js'

/**
 * Parses the options of an API call with a strict zod schema: an unknown name (`expectedorigin`,
 * `versoin`) is refused with `ERR_OCPI_INVALID_INPUT` naming the allowed ones, so a misspelt option fails
 * loudly instead of the call going ahead on the default; any other issue is named by field and rule.
 *
 * @example
 * ```ts
 * const { version } = parseOptions(rotateOptionsSchema, options, 'rotate')
 * ```
 */
export function parseOptions<S extends z.ZodObject>(schema: S, options: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(options ?? {})
  if (parsed.success) return parsed.data
  if (parsed.error.issues.some((issue) => issue.code === 'unrecognized_keys')) {
    throw new OcpiError(
      'ERR_OCPI_INVALID_INPUT',
      `${what}: unknown option (allowed: ${Object.keys(schema.shape).join(', ')})`,
    )
  }
  throw new OcpiError('ERR_OCPI_INVALID_INPUT', `${what}: ${describeIssues(parsed.error)}`)
}
