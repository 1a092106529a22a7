import * as z from 'zod'

// ISO 8601 / RFC 3339 subset: fraction optional, zone optional (a missing zone means UTC, as 2.1.1 says).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * Parses an OCPI DateTime leniently: with or without fractional seconds, with or without `Z`
 * (no zone means UTC). Offsets are accepted on input though the spec forbids sending them.
 *
 * @example
 * ```ts
 * parseDateTime('2015-06-29T20:39:09') // Date for 20:39:09 UTC
 * parseDateTime('garbage') // null
 * ```
 */
export function parseDateTime(raw: string): Date | null {
  const match = DATE_TIME.exec(raw)
  if (!match) return null
  const zone = match[8] ?? 'Z'
  const date = new Date(`${raw.slice(0, raw.length - (match[8]?.length ?? 0))}${zone.toUpperCase()}`)
  return Number.isNaN(date.getTime()) ? null : date
}

/**
 * Formats a date as an OCPI DateTime: UTC with `Z`, whole seconds (valid in every version).
 *
 * @example
 * ```ts
 * formatDateTime(new Date(0)) // '1970-01-01T00:00:00Z'
 * ```
 */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * zod schema for a DateTime on the wire; parses to a `Date`.
 *
 * @example
 * ```ts
 * dateTimeSchema.parse('2026-01-01T00:00:00.123Z')
 * ```
 */
export const dateTimeSchema = z.string().transform((raw, ctx) => {
  const date = parseDateTime(raw)
  if (date === null) {
    ctx.addIssue({ code: 'custom', message: 'not an OCPI DateTime' })
    return z.NEVER
  }
  return date
})
