/**
 * The mock's own tiny validation kit: each check appends readable problems (`path: what is wrong`) to a
 * list and returns the value when it is usable.
 *
 * @module
 */

/**
 * Where the problems of one validation go.
 *
 * @example
 * ```ts
 * const issues: Issues = []
 * ```
 */
export type Issues = string[]

/**
 * Whether a value is a plain JSON object.
 *
 * @example
 * ```ts
 * isObject({}) // true
 * isObject([]) // false
 * ```
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Whether an optional field is absent (omitted or `null`, both allowed for `?` cardinality).
 *
 * @example
 * ```ts
 * isAbsent(null) // true
 * ```
 */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null
}

/**
 * How a string field is checked.
 *
 * @example
 * ```ts
 * const rule: StringRule = { max: 3, pattern: /^[A-Za-z0-9]+$/, hint: 'letters and digits' }
 * ```
 */
export interface StringRule {
  readonly max: number
  readonly optional?: boolean
  readonly pattern?: RegExp
  readonly hint?: string
  /** 2.1.1 strings are printable ASCII; 2.2+ strings are UTF-8 without control characters. */
  readonly asciiOnly?: boolean
}

/**
 * Checks a string field; returns it when valid.
 *
 * @example
 * ```ts
 * const name = checkString(issues, 'business_details.name', value, { max: 100 })
 * ```
 */
export function checkString(
  issues: Issues,
  path: string,
  value: unknown,
  rule: StringRule,
): string | undefined {
  if (isAbsent(value)) {
    if (rule.optional !== true) issues.push(`${path}: required`)
    return undefined
  }
  if (typeof value !== 'string') {
    issues.push(`${path}: must be a string`)
    return undefined
  }
  const before = issues.length
  if (value.length === 0) issues.push(`${path}: must not be empty`)
  if (value.length > rule.max) issues.push(`${path}: longer than ${rule.max} characters`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
  if (/[\u0000-\u001F\u007F]/.test(value)) issues.push(`${path}: contains control characters`)
  else if (rule.asciiOnly === true && !/^[\x20-\x7E]*$/.test(value))
    issues.push(`${path}: must be printable ASCII`)
  if (rule.pattern !== undefined && !rule.pattern.test(value))
    issues.push(`${path}: must be ${rule.hint ?? `like ${rule.pattern.source}`}`)
  return issues.length === before ? value : undefined
}

/**
 * Checks a URL field: an absolute http(s) URL of at most 255 characters.
 *
 * @example
 * ```ts
 * const url = checkUrl(issues, 'url', body.url)
 * ```
 */
export function checkUrl(issues: Issues, path: string, value: unknown, optional = false): string | undefined {
  const text = checkString(issues, path, value, { max: 255, optional })
  if (text === undefined) return undefined
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
    issues.push(`${path}: must be an absolute http(s) URL`)
    return undefined
  }
  return text
}

/**
 * Checks an optional integer field in a range.
 *
 * @example
 * ```ts
 * checkOptionalInt(issues, 'logo.width', logo.width, 99999)
 * ```
 */
export function checkOptionalInt(issues: Issues, path: string, value: unknown, max: number): void {
  if (isAbsent(value)) return
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max)
    issues.push(`${path}: must be an integer from 0 to ${max}`)
}
