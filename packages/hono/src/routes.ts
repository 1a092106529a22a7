import type { Ocpi } from '@ocpi-credentials/core'
import { Hono, type MiddlewareHandler } from 'hono'
import { coreRequestOf } from './core-request.js'
import { handOn } from './hand-on.js'
import { rawPathOf } from './raw-path.js'

/**
 * The path shapes that may be the core's, one plain parameter per depth: `versions` or `{version}`,
 * `{version}/credentials`, and `{version}/hubclientinfo[/{cc}/{pid}]`, each with or without a trailing
 * slash. The handler asks the core ({@link Ocpi.ownsPath}) and hands anything else on with `next()`: the
 * host's own paths under the same prefix (`/:version/locations`, `/health`) stay reachable whatever the
 * order in which they and the sub-app are registered. Plain parameters keep the host app on Hono's
 * fastest router (RegExpRouter): a static `versions` beside a constrained `:version{…}` at the same depth
 * would force the whole app, every route of the host included, onto the slower TrieRouter. Which
 * versions exist, and which methods each path accepts, the core decides (404 / 405 envelopes).
 */
const CORE_PATH_SHAPES = [
  '/:segment',
  '/:segment/credentials',
  '/:segment/hubclientinfo',
  '/:segment/hubclientinfo/:country_code/:party_id',
].flatMap((path) => [path, `${path}/`])

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
  const forward: MiddlewareHandler = (c, next) => {
    if (!ocpi.ownsPath(rawPathOf(c.req.url))) return handOn(next)
    return c.req.raw.bodyUsed ? coreRequestOf(c).then(ocpi.handle) : ocpi.handle(c.req.raw)
  }
  for (const path of CORE_PATH_SHAPES) app.all(path, forward)
  return app
}
