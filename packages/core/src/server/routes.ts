import type { ResolvedConfig } from '../config.js'
import type { SupportedVersion } from '../protocol/versions.js'

/**
 * What a request addresses under the base URL: the versions list, a version's details, or its
 * credentials endpoint.
 */
export type Route =
  | { readonly kind: 'versions' }
  | { readonly kind: 'details'; readonly version: SupportedVersion }
  | { readonly kind: 'credentials'; readonly version: SupportedVersion }

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
    module: (version: SupportedVersion, path: string) =>
      `${config.baseUrl}/${version}/${path.replace(/^\/+/, '').replaceAll('{version}', version)}`,
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
  if (more.length > 0 || first === undefined) return null
  if (first === 'versions' && second === undefined) return { kind: 'versions' }
  const version = config.versions.find((v) => v === first)
  if (version === undefined) return null
  if (second === undefined) return { kind: 'details', version }
  if (second === 'credentials') return { kind: 'credentials', version }
  return null
}
