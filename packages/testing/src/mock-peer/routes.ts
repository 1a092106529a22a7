import type { OwnEndpoint, ResolvedConfig } from './config.js'
import type { MockVersion } from './options.js'
import { modulesOf } from './own-documents.js'

/**
 * Which of the mock's endpoints a URL addresses.
 *
 * @example
 * ```ts
 * const route: Route = { kind: 'credentials', version: '2.2.1' }
 * ```
 */
export type Route =
  | { readonly kind: 'versions' }
  | { readonly kind: 'details'; readonly version: MockVersion }
  | { readonly kind: 'credentials'; readonly version: MockVersion }
  | {
      readonly kind: 'module'
      readonly version: MockVersion
      readonly endpoint: OwnEndpoint
      /** The path segments after the module's URL, e.g. `['NL', 'EXA', '123']`. */
      readonly rest: readonly string[]
    }
  | { readonly kind: 'unknown' }

/**
 * The route of a URL, or `null` if the URL is not under the mock's `baseUrl` (then it is not the mock's).
 * A trailing slash and the query string are ignored.
 *
 * @example
 * ```ts
 * routeOf(config, 'https://emsp.example.com/ocpi/2.2.1/tokens?limit=10') // { kind: 'module', … }
 * ```
 */
export function routeOf(config: ResolvedConfig, url: string): Route | null {
  if (!URL.canParse(url)) return null
  const parsed = new URL(url)
  const path = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '')
  if (path !== config.baseUrl && !path.startsWith(`${config.baseUrl}/`)) return null
  const [first, second, ...rest] = path
    .slice(config.baseUrl.length + 1)
    .split('/')
    .filter((segment) => segment !== '')
  if (first === 'versions' && second === undefined) return { kind: 'versions' }
  const version = config.versions.find((v) => v === first)
  if (version === undefined) return { kind: 'unknown' }
  if (second === undefined) return { kind: 'details', version }
  if (second === 'credentials' && rest.length === 0) return { kind: 'credentials', version }
  const endpoint = modulesOf(config, version).find((e) => e.segment === second)
  return endpoint === undefined ? { kind: 'unknown' } : { kind: 'module', version, endpoint, rest }
}

/**
 * The fault target of a request on a route: `GET versions`, `POST credentials`, `GET tokens`, `GET unknown`.
 *
 * @example
 * ```ts
 * targetOf({ kind: 'details', version: '2.2.1' }, 'GET') // 'GET details'
 * ```
 */
export function targetOf(route: Route, method: string): string {
  const name =
    route.kind === 'module' ? route.endpoint.identifier : route.kind === 'unknown' ? 'unknown' : route.kind
  return `${method.toUpperCase()} ${name}`
}
