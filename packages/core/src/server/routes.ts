import type { ResolvedConfig } from '../config.js'
import { isModern, type SupportedVersion } from '../protocol/versions.js'

/**
 * What a request addresses under the base URL: the versions list, a version's details, or its
 * credentials endpoint.
 */
export type Route =
  | { readonly kind: 'versions' }
  | { readonly kind: 'details'; readonly version: SupportedVersion }
  | { readonly kind: 'credentials'; readonly version: SupportedVersion }
  | { readonly kind: 'clientinfo-list'; readonly version: SupportedVersion }
  | {
      readonly kind: 'clientinfo'
      readonly version: SupportedVersion
      readonly countryCode: string
      readonly partyId: string
    }

/** The HubClientInfo path segment (our URLs: `{baseUrl}/{version}/hubclientinfo[/{cc}/{pid}]`). */
export const HUB_CLIENT_INFO = 'hubclientinfo'

/**
 * The URLs we publish: versions at `{baseUrl}/versions`, details at `{baseUrl}/{version}`, credentials at
 * `{baseUrl}/{version}/credentials`, host modules at `{baseUrl}/{version}/{path}`.
 *
 * @example
 * ```ts
 * ownUrls(config).credentials('2.2.1') // 'https://cpo.example.com/ocpi/2.2.1/credentials'
 * ```
 */
export function ownUrls(config: ResolvedConfig) {
  return {
    versions: `${config.baseUrl}/versions`,
    details: (version: SupportedVersion) => `${config.baseUrl}/${version}`,
    credentials: (version: SupportedVersion) => `${config.baseUrl}/${version}/credentials`,
    hubClientInfo: (version: SupportedVersion) => `${config.baseUrl}/${version}/${HUB_CLIENT_INFO}`,
    module: (version: SupportedVersion, path: string) =>
      `${config.baseUrl}/${version}/${path.replace(/^\/+/, '').replaceAll('{version}', version)}`,
  }
}

/** A path segment decoded; `null` when its percent-encoding is broken. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}

/**
 * Matches a request path against our routes; `null` when it addresses nothing we serve. A trailing slash
 * is tolerated.
 *
 * @example
 * ```ts
 * matchRoute(config, '/ocpi/2.2.1/credentials') // { kind: 'credentials', version: '2.2.1' }
 * ```
 */
export function matchRoute(config: ResolvedConfig, pathname: string): Route | null {
  if (!pathname.startsWith(`${config.basePath}/`)) return null
  const rest = pathname
    .slice(config.basePath.length + 1)
    .replace(/\/+$/, '')
    .split('/')
  const [first, second, ...more] = rest
  if (first === undefined) return null
  const version = config.versions.find((v) => v === first)
  if (second === HUB_CLIENT_INFO && version !== undefined && isModern(version)) {
    const { receiver, sender } = config.hubClientInfo
    if (more.length === 0 && sender) return { kind: 'clientinfo-list', version }
    const [countryCode, partyId, ...beyond] = more.map(decodeSegment)
    if (beyond.length === 0 && typeof countryCode === 'string' && typeof partyId === 'string' && receiver) {
      return { kind: 'clientinfo', version, countryCode, partyId }
    }
    return null
  }
  if (more.length > 0) return null
  if (first === 'versions' && second === undefined) return { kind: 'versions' }
  if (version === undefined) return null
  if (second === undefined) return { kind: 'details', version }
  if (second === 'credentials') return { kind: 'credentials', version }
  return null
}

/** The shapes the core answers for any version-like segment, known or not (an unknown one gets a 404 envelope). */
const CORE_SHAPES = /^(?:versions|[0-9][0-9.]*(?:\/credentials)?)$/

/**
 * Whether a request path is the core's to answer: the versions list, details and credentials of any
 * version-like segment (the core answers an unknown version with its own 404 envelope), and the
 * HubClientInfo paths when they are served. Anything else under the base path (`/{version}/locations`,
 * a host's `/health`) belongs to the host. The bindings route with this, so they never keep a copy of the
 * core's paths. Pure.
 *
 * @example
 * ```ts
 * ownsPath(config, '/ocpi/2.2.1/credentials') // true
 * ownsPath(config, '/ocpi/2.2.1/locations') // false
 * ```
 */
export function ownsPath(config: ResolvedConfig, pathname: string): boolean {
  if (!pathname.startsWith(`${config.basePath}/`)) return false
  const rest = pathname.slice(config.basePath.length + 1).replace(/\/+$/, '')
  return CORE_SHAPES.test(rest) || matchRoute(config, pathname) !== null
}
