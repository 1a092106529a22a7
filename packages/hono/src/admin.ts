import { type AdminHandlerOptions, createAdminHandler, type Ocpi } from '@ocpi-credentials/core'
import { type Context, Hono } from 'hono'
import { routePath } from 'hono/route'
import { coreRequestOf } from './core-request.js'
import { rawPathOf } from './raw-path.js'

/**
 * A Hono sub-app serving the core's admin API (invitations, registrations, peers, rotation, revocation,
 * unregistration: see `createAdminHandler` in `@ocpi-credentials/core`). Every request under the mount
 * path goes to the core's handler, which matches the rest of the path exactly against its routes (any
 * mount path works, params included; `/admin/x/invitations` is no route).
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
  app.all('*', async (c) => {
    const basePath = mountPathOf(c)
    return handle(await coreRequestOf(c), basePath === undefined ? {} : { basePath })
  })
  return app
}

/**
 * Where the admin app is mounted for this request (`/admin`, `/acme/admin` for `/:tenant/admin`), so that
 * the core matches routes exactly under it: `/admin/x/invitations` is no route, and a host's guard on
 * `/admin/invitations` cannot be walked around. `undefined` when Hono does not say (the core then
 * recognises routes by their tail). Cut from the path as it arrived, percent-encoding kept, as the core
 * compares it: `/m%C3%BCnchen/admin` for `/:city/admin`.
 */
function mountPathOf(c: Context): string | undefined {
  const pattern = routePath(c)
  if (!pattern.endsWith('*')) return undefined
  const depth = pattern.slice(0, -1).replace(/\/$/, '').split('/').length
  return rawPathOf(c.req.url).split('/').slice(0, depth).join('/')
}
