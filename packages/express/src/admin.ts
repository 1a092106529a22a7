import { type AdminHandlerOptions, createAdminHandler, type Ocpi } from '@ocpi-credentials/core'
import type { RequestHandler } from 'express'
import { routedPathOf, sendWebResponse, toWebRequest } from './bridge.js'

/**
 * Serves the core's admin API (invitations, registrations, peers, rotation, revocation; see
 * `createAdminHandler`) as an Express middleware. It answers every request under its mount path, matching
 * the rest of the path exactly against the routes (`/admin/x/invitations` is no route, so a guard on
 * `/admin/invitations` holds), so give it a path of its own, behind the host's authentication or with
 * `authorize`. `express.json()` may run before it.
 *
 * @param ocpi - The SDK instance from `createOcpi`.
 * @param options - The core's admin options: `authorize`, `onError`, `maxBodyBytes`.
 * @returns A middleware to mount with `app.use(adminPath, …)`.
 *
 * @example
 * ```ts
 * app.use('/admin', ocpiAdmin(ocpi, {
 *   authorize: bearerAuthorizer(process.env['ADMIN_TOKEN'] ?? ''),
 * }))
 * ```
 */
export function ocpiAdmin(ocpi: Ocpi, options: AdminHandlerOptions = {}): RequestHandler {
  const handle = createAdminHandler(ocpi, options)
  return (req, res, next) => {
    // The core compares the path Express routed with the one the web Request rewrote (dot segments),
    // after `authorize`: an unauthorised caller gets its 401, and every answer is `no-store`.
    handle(toWebRequest(req), { basePath: req.baseUrl, routedPath: routedPathOf(req) })
      .then((response) => sendWebResponse(res, response))
      .catch(next)
  }
}
