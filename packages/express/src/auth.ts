import type { AuthenticatedPeer, AuthenticateOptions, Ocpi } from '@ocpi-credentials/core'
import type { RequestHandler } from 'express'
import { sendWebResponse } from './bridge.js'

declare global {
  // Express's own extension point (`@types/express` reads `res.locals` as `Record<string, any> & Locals`).
  namespace Express {
    interface Locals {
      /**
       * The peer that {@link ocpiAuth} authenticated; set only on routes behind it. Read it with
       * {@link ocpiPeerOf}, which throws when the middleware did not run.
       */
      ocpiPeer?: AuthenticatedPeer
    }
  }
}

/**
 * Authenticates requests to one of the host's own OCPI modules (`locations`, `sessions`, …). On success
 * the peer is put on `res.locals.ocpiPeer` (typed through Express's `Locals`; read it with
 * {@link ocpiPeerOf}) and the next handler runs; otherwise the core's OCPI refusal (401, or 500 / 3000
 * when the store fails) is sent. The request body is not touched, so body parsers may run before or after.
 *
 * @param ocpi - The SDK instance from `createOcpi`.
 * @param options - `module`: the module the route serves (named in the refusal's message).
 * @returns A middleware to put in front of the module's handlers.
 *
 * @example
 * ```ts
 * app.get('/ocpi/:version/locations', ocpiAuth(ocpi, { module: 'locations' }), (req, res) => {
 *   const peer = ocpiPeerOf(res)
 *   res.json({ data: locationsFor(peer), status_code: 1000, timestamp: new Date().toISOString() })
 * })
 * ```
 */
export function ocpiAuth(ocpi: Ocpi, options: AuthenticateOptions): RequestHandler {
  return (req, res, next) => {
    // Headers only (no body, no copy of the request): this runs on every request of the host's modules.
    // Plain data properties (an accessor here costs more than the whole cached authentication). A recent
    // authentication of the same header is answered synchronously (no promise, no microtask).
    const headers = { get: (name: string) => headerOf(req, name) }
    const cached = ocpi.authenticateCached({ headers })
    if (cached !== null) {
      res.locals.ocpiPeer = cached
      next()
      return
    }
    // The URL serves only to name the path in a refusal event.
    const input = {
      method: req.method,
      url: `http://localhost${req.originalUrl}`,
      headers,
    }
    ocpi.authenticate(input, options).then((result) => {
      if (!result.ok) return sendWebResponse(res, result.response).catch(next)
      res.locals.ocpiPeer = result.peer
      next()
    }, next)
  }
}

/**
 * A request header by name (case-insensitive), as `req.get` answers it (Node joins repeated values, keeps the
 * first `Authorization`) without `req.get`'s own work: this runs three times on every request.
 */
function headerOf(req: Parameters<RequestHandler>[0], name: string): string | null {
  const value = req.headers[name.toLowerCase()]
  return typeof value === 'string' ? value : null
}

/**
 * The peer that {@link ocpiAuth} authenticated for this request. Throws when the middleware did not run
 * on this route, which is a wiring mistake, never a refusal.
 *
 * @param res - The Express response (only its `locals` are read).
 * @returns The peer: `id`, `version`, `parties`, `endpoints`, `hubPartyId`, `tokenForm`.
 *
 * @example
 * ```ts
 * app.get('/ocpi/:version/tokens', ocpiAuth(ocpi, { module: 'tokens' }), (req, res) => {
 *   const { id, parties, version } = ocpiPeerOf(res)
 * })
 * ```
 */
export function ocpiPeerOf(res: { readonly locals: Express.Locals }): AuthenticatedPeer {
  const peer = res.locals.ocpiPeer
  if (peer === undefined) {
    throw new Error(
      'ocpiPeerOf(res): no authenticated OCPI peer on this response; put ocpiAuth(ocpi, { module }) before this handler',
    )
  }
  return peer
}
