import type { AuthenticatedPeer } from '@ocpi-credentials/core'

/**
 * The Hono `Env` that {@link ocpiAuth} provides: after it, `c.get('ocpiPeer')` is the authenticated
 * peer, typed. Intersect it with your own `Env` when your app has other variables or bindings.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import type { OcpiEnv } from '@ocpi-credentials/hono'
 *
 * const locations = new Hono<OcpiEnv>()
 * locations.use(ocpiAuth(ocpi, { module: 'locations' }))
 * locations.get('/', (c) => c.json({ data: [], status_code: 1000, peer: c.get('ocpiPeer').id }))
 * ```
 */
export type OcpiEnv = {
  Variables: {
    /** The peer behind the request: id, version, parties, endpoints, hub party, token form. */
    ocpiPeer: AuthenticatedPeer
  }
}
