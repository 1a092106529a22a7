import type { AuthenticateOptions, Ocpi } from '@ocpi-credentials/core'
import type { MiddlewareHandler } from 'hono'
import type { OcpiEnv } from './env.js'
import { handOn } from './hand-on.js'

/**
 * Auth middleware for the host's own OCPI modules (`locations`, `sessions`, …). It asks
 * {@link Ocpi.authenticate} about the request: a registered peer's token (and `OCPI-from-*` headers
 * naming one of its parties) lets the request through with the peer at `c.get('ocpiPeer')`; anything
 * else gets the core's ready OCPI envelope back (401 / 2000, or 500 / 3000 when the store fails) and
 * the route's handler never runs. TOKEN_A and pending registrations are refused here: they are valid on
 * versions, details and credentials only.
 *
 * @param ocpi - The SDK instance from `createOcpi`.
 * @param options - `module`: the module the route serves (named in the refusal's message).
 * @returns A Hono middleware whose `Env` types `c.get('ocpiPeer')`.
 *
 * @example
 * ```ts
 * import { ocpiAuth } from '@ocpi-credentials/hono'
 *
 * app.get('/ocpi/:version/locations', ocpiAuth(ocpi, { module: 'locations' }), (c) => {
 *   const peer = c.get('ocpiPeer') // AuthenticatedPeer: id, version, parties, endpoints, …
 *   return c.json({ data: listLocationsFor(peer), status_code: 1000, timestamp: new Date().toISOString() })
 * })
 * ```
 */
export function ocpiAuth(ocpi: Ocpi, options: AuthenticateOptions): MiddlewareHandler<OcpiEnv> {
  return (c, next) => {
    // Headers only (no body, no copy of the request), as plain data properties: an accessor here costs
    // more than the whole cached authentication. This runs on every request of the host's modules, and
    // a recent authentication of the same header is answered synchronously (no promise of ours).
    const headers = { get: (name: string) => c.req.header(name) ?? null }
    const cached = ocpi.authenticateCached({ headers })
    if (cached !== null) {
      c.set('ocpiPeer', cached)
      return handOn(next)
    }
    const request = { method: c.req.method, url: c.req.url, headers }
    return ocpi.authenticate(request, options).then<Response | undefined>((result) => {
      if (!result.ok) return result.response
      c.set('ocpiPeer', result.peer)
      return handOn(next)
    })
  }
}
