import { type AdminHandlerOptions, createAdminHandler, type Ocpi } from '@ocpi-credentials/core'
import { Hono } from 'hono'
import { coreRequestOf } from './core-request.js'

/**
 * A Hono sub-app serving the core's admin API (invitations, registrations, peers, rotation, revocation,
 * unregistration: see `createAdminHandler` in `@ocpi-credentials/core`). Every request under the mount
 * path goes to the core's handler, which recognises its routes by the path's tail, so any prefix works.
 * The admin API hands out TOKEN_As: protect it, with `authorize` or with your own middleware in front.
 *
 * @param ocpi - The SDK instance from `createOcpi`.
 * @param options - The core's admin handler options: `authorize`, `onError`, `maxBodyBytes`.
 * @returns A `Hono` app to mount with `app.route(prefix, …)`.
 *
 * @example
 * ```ts
 * import { ocpiAdmin } from '@ocpi-credentials/hono'
 *
 * app.route(
 *   '/admin',
 *   ocpiAdmin(ocpi, {
 *     authorize: bearerAuthorizer(process.env['ADMIN_TOKEN'] ?? ''),
 *   }),
 * )
 * // POST /admin/invitations → 201 { peer_id, token, versions_url, expires_at }
 * ```
 */
export function ocpiAdmin(ocpi: Ocpi, options: AdminHandlerOptions = {}): Hono {
  const handle = createAdminHandler(ocpi, options)
  const app = new Hono()
  app.all('*', async (c) => handle(await coreRequestOf(c)))
  return app
}
