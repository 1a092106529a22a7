import type { MockTokenEncoding, MockVersion } from './options.js'

/**
 * The versions the mock knows, oldest first.
 *
 * @example
 * ```ts
 * MOCK_VERSIONS.includes('2.2.1') // true
 * ```
 */
export const MOCK_VERSIONS: readonly MockVersion[] = ['2.1.1', '2.2', '2.2.1', '2.3.0']

/**
 * Whether a string is a version the mock speaks.
 *
 * @example
 * ```ts
 * isMockVersion('2.3.0') // true
 * ```
 */
export function isMockVersion(value: string): value is MockVersion {
  return (MOCK_VERSIONS as readonly string[]).includes(value)
}

/**
 * Compares two version numbers numerically, part by part (`2.10` > `2.9`, `2.2.1` > `2.2`).
 *
 * @example
 * ```ts
 * compareVersions('2.2.1', '2.3.0') // < 0
 * ```
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number)
  const right = b.split('.').map(Number)
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0)
    if (Number.isNaN(diff)) return a.localeCompare(b)
    if (diff !== 0) return diff
  }
  return 0
}

/**
 * The highest version in both lists, or `undefined`.
 *
 * @example
 * ```ts
 * highestMutual(['2.1.1', '2.2.1'], ['2.2.1', '2.3.0']) // '2.2.1'
 * ```
 */
export function highestMutual(
  ours: readonly MockVersion[],
  theirs: readonly string[],
): MockVersion | undefined {
  return ours
    .filter((version) => theirs.includes(version))
    .sort(compareVersions)
    .at(-1)
}

/**
 * Whether a version uses the 2.2+ transport (roles[], interface roles, X-Request-ID, routing headers).
 *
 * @example
 * ```ts
 * isModern('2.1.1') // false
 * ```
 */
export function isModern(version: MockVersion): boolean {
  return version !== '2.1.1'
}

/**
 * The token encoding a setting asks for on a version: `per-version` is raw on 2.1.1, Base64 on 2.2+.
 *
 * @example
 * ```ts
 * encodingFor('per-version', '2.1.1') // 'raw'
 * ```
 */
export function encodingFor(
  setting: MockTokenEncoding | 'per-version',
  version: MockVersion,
): MockTokenEncoding {
  if (setting !== 'per-version') return setting
  return isModern(version) ? 'base64' : 'raw'
}

/**
 * The lower-case names of the routing headers (2.2+ functional modules only).
 *
 * @example
 * ```ts
 * ROUTING_HEADERS.includes('ocpi-to-party-id') // true
 * ```
 */
export const ROUTING_HEADERS = [
  'ocpi-from-country-code',
  'ocpi-from-party-id',
  'ocpi-to-country-code',
  'ocpi-to-party-id',
] as const

/**
 * The modules of the configuration kind, which must never carry routing headers.
 *
 * @example
 * ```ts
 * CONFIGURATION_MODULES.includes('hubclientinfo') // true
 * ```
 */
export const CONFIGURATION_MODULES: readonly string[] = ['credentials', 'hubclientinfo']
