import type { Ocpi } from '@ocpi-credentials/core'
import { type Handler, Hono } from 'hono'

/** A version segment (`2.1.1`, `2.2.1`, `2.3.0`, …): which versions exist, the core decides. */
const VERSION = ':version{[0-9][0-9.]*}'

/**
 * The paths the core serves under its base URL: `versions`, `{version}` and `{version}/credentials`,
 * each with or without a trailing slash. Only these are routed, so the host's own paths under the same
 * prefix (`/:version/locations`, `/health`) stay reachable whatever the order in which they and the
 * sub-app are registered. Which versions exist, and which methods each path accepts, the core decides
 * (404 / 405 envelopes).
 */
const CORE_PATHS = [
  '/versions',
  '/versions/',
  `/${VERSION}`,
  `/${VERSION}/`,
  `/${VERSION}/credentials`,
  `/${VERSION}/credentials/`,
] as const

/**
 * A Hono sub-app serving the OCPI versions list, version details and credentials endpoints (GET, POST,
 * PUT, DELETE) by handing the web `Request` to {@link Ocpi.handle} unchanged. Mount it where the
 * pathname of the core's `baseUrl` says: `baseUrl: 'https://cpo.example.com/ocpi'` means
 * `app.route('/ocpi', ocpiRoutes(ocpi))`. Works on every runtime Hono runs on.
 *
 * @param ocpi - The SDK instance from `createOcpi`.
 * @returns A `Hono` app to mount with `app.route(prefix, …)`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { createOcpi, memoryStore } from '@ocpi-credentials/core'
 * import { ocpiRoutes } from '@ocpi-credentials/hono'
 *
 * const ocpi = createOcpi({ baseUrl: 'https://cpo.example.com/ocpi', parties, store: memoryStore(), sealingKeys })
 * const app = new Hono()
 * app.route('/ocpi', ocpiRoutes(ocpi)) // GET /ocpi/versions, GET /ocpi/2.2.1, * /ocpi/2.2.1/credentials
 * export default app
 * ```
 */
export function ocpiRoutes(ocpi: Ocpi): Hono {
  const app = new Hono()
  const forward: Handler = (c) => ocpi.handle(c.req.raw)
  for (const path of CORE_PATHS) app.all(path, forward)
  return app
}
