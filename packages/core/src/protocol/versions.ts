/**
 * The OCPI versions this SDK speaks. A peer's list is parsed as open strings; these are what we emit.
 *
 * @example
 * ```ts
 * createOcpi({ ...options, versions: ['2.2.1', '2.1.1'] })
 * ```
 */
export const SUPPORTED_VERSIONS = ['2.3.0', '2.2.1', '2.1.1'] as const

/**
 * A version this SDK speaks.
 *
 * @example
 * ```ts
 * const v: SupportedVersion = '2.2.1'
 * ```
 */
export type SupportedVersion = (typeof SUPPORTED_VERSIONS)[number]

const ALIASES: Readonly<Record<string, SupportedVersion>> = {
  '2.1': '2.1.1',
  '2.1.1': '2.1.1',
  '2.2': '2.2.1',
  '2.2.1': '2.2.1',
  '2.3.0': '2.3.0',
  '2.3': '2.3.0',
}

/**
 * Maps a version string from the wire to the wire format we speak for it, or `null` when we do not speak
 * it. `2.1` (deprecated) is 2.1.1; a peer offering `2.2` is spoken to with the 2.2.1 wire format.
 *
 * @example
 * ```ts
 * normalizeVersion('2.1') // '2.1.1'
 * normalizeVersion('2.0') // null
 * ```
 */
export function normalizeVersion(raw: string): SupportedVersion | null {
  return ALIASES[raw.trim()] ?? null
}

/**
 * Orders versions newest first (for choosing the highest mutual version).
 *
 * @example
 * ```ts
 * compareVersions('2.2.1', '2.1.1') > 0 // true
 * ```
 */
export function compareVersions(a: SupportedVersion, b: SupportedVersion): number {
  return SUPPORTED_VERSIONS.indexOf(b) - SUPPORTED_VERSIONS.indexOf(a)
}

/**
 * Whether a version uses the 2.2+ wire format (roles, endpoint roles, request ids, Base64 tokens).
 *
 * @example
 * ```ts
 * isModern('2.1.1') // false
 * ```
 */
export function isModern(version: SupportedVersion): boolean {
  return version !== '2.1.1'
}
