import { OcpiConfigError, OcpiError } from '../errors.js'
import type { Ocpi } from '../ocpi.js'
import { pathOf } from '../server/path-of.js'
import {
  invitationBodySchema,
  parseAdminInput,
  peersQuerySchema,
  registrationBodySchema,
  revocationBodySchema,
  rotationBodySchema,
} from './bodies.js'
import {
  type AdminInvitation,
  type AdminPeerList,
  type AdminRevocation,
  type AdminUnregistration,
  adminPeerJson,
} from './json.js'
import { ADMIN_MAX_BODY_BYTES, readAdminBody } from './read-body.js'
import { adminErrorResponse, adminJson } from './responses.js'
import { ADMIN_METHODS, type AdminRoute, matchAdminRoute } from './routes.js'

/**
 * Options of {@link createAdminHandler}.
 *
 * @example
 * ```ts
 * const options: AdminHandlerOptions = {
 *   authorize: bearerAuthorizer(process.env['ADMIN_TOKEN'] ?? ''),
 *   onError: (error, { method, path }) => console.error('admin API failure', method, path, error),
 * }
 * ```
 */
export interface AdminHandlerOptions {
  /**
   * Decides whether a request may use the admin API; `false` answers 401 before any routing. Runs on
   * every request; it must not read the body. Without it every request is allowed: mount the handler
   * behind your own authentication.
   */
  readonly authorize?: (request: Request) => boolean | Promise<boolean>
  /**
   * Called with every error answered as a 500 (the response reveals nothing), e.g. to log it, and which
   * request failed: its method and path only (see {@link AdminFailedRequest}), never the `Request`, whose
   * `Authorization` header (the admin secret) a logger would print along. A throwing callback is ignored.
   */
  readonly onError?: (error: unknown, request: AdminFailedRequest) => void
  /**
   * Cap on request bodies, in bytes (413 over it). Default 16 KiB; anything but a positive integer
   * throws {@link OcpiConfigError} at creation.
   */
  readonly maxBodyBytes?: number
  /**
   * The path the handler is mounted at (`/admin`). Given, a request's path must be exactly that plus one
   * route (`/admin/invitations`, not `/admin/x/invitations`): set it whenever your own middleware guards
   * admin routes by path. Without it, routes are recognised by the path's tail. The Express and Hono
   * bindings pass their mount path per request (see {@link AdminRequestContext}).
   */
  readonly basePath?: string
  /**
   * Serve requests a browser marks as sent from another site (`Sec-Fetch-Site: cross-site`). Default
   * `false`: they are answered 403 `ERR_OCPI_CROSS_SITE`, after `authorize` and before anything runs, so
   * a page elsewhere cannot make a logged-in admin's browser revoke a link or create an invitation when
   * your authentication is a cookie (a form or a `no-cors` fetch posts an empty body without any CORS
   * preflight). Requests from servers, scripts and `curl` carry no such header and are never affected.
   * Set `true` only when an admin UI on another site calls this API with CORS and a bearer token.
   */
  readonly allowCrossSite?: boolean
}

/**
 * The request an admin API failure is reported with to {@link AdminHandlerOptions.onError}: plain data, safe
 * to log whole. No headers (the `Authorization` header holds the admin secret, a cookie a session), no
 * query, no body.
 *
 * @example
 * ```ts
 * const failed: AdminFailedRequest = { method: 'POST', path: '/admin/invitations' }
 * ```
 */
export interface AdminFailedRequest {
  /** The request's method. */
  readonly method: string
  /** The URL's path (`/admin/peers/abc`), without the query. */
  readonly path: string
}

/**
 * Per-request context a binding may hand the admin handler: where it is mounted for this request.
 *
 * @example
 * ```ts
 * await admin(request, { basePath: req.baseUrl })
 * ```
 */
export interface AdminRequestContext {
  /** Overrides {@link AdminHandlerOptions.basePath} for this request. */
  readonly basePath?: string
  /**
   * The path as the host's framework routed the request, when it routes on the path as written (Express).
   * A web `Request` rewrites some paths (dot segments, `%2e`, backslashes); when the two differ, the
   * request is answered 400 `ERR_OCPI_INVALID_INPUT` (after `authorize`, as every answer is), so the admin
   * API never serves another path than the one the host's path-based guards saw.
   */
  readonly routedPath?: string
}

/**
 * Creates the admin API: a web-standard JSON handler over an {@link Ocpi} instance, to mount behind the
 * host's own authentication under any path (routes are recognised by the path's tail):
 *
 * - `POST …/invitations` → 201 {@link AdminInvitation}
 * - `POST …/registrations` → 201 {@link AdminPeer}
 * - `GET …/peers?state=&after=&limit=` → 200 {@link AdminPeerList}
 * - `GET …/peers/:id` → 200 {@link AdminPeer}
 * - `DELETE …/peers/:id` → 200 {@link AdminUnregistration}
 * - `POST …/peers/:id/rotation` → 200 {@link AdminPeer}
 * - `POST …/peers/:id/revocation` → 200 {@link AdminRevocation}
 *
 * Errors are {@link AdminError} bodies: 400 bad input, 401 refused by `authorize`, 403 a browser's
 * cross-site request (see {@link AdminHandlerOptions.allowCrossSite}), 404 unknown peer or
 * route, 405 wrong method, 409 wrong state or conflict, 413 body too large, 502 the peer refused, failed
 * or left the outcome unknown, 500 anything else. No response ever carries a token except the TOKEN_A of
 * an invitation or a revocation, and none repeats the request body. See docs/admin-api.md.
 *
 * @example
 * ```ts
 * const admin = createAdminHandler(ocpi, {
 *   authorize: bearerAuthorizer(process.env['ADMIN_TOKEN'] ?? ''),
 * })
 * const response = await admin(new Request('https://cpo.example.com/admin/invitations', { method: 'POST' }))
 * const { token, versions_url } = await response.json()
 * ```
 */
export function createAdminHandler(
  ocpi: Ocpi,
  options: AdminHandlerOptions = {},
): (request: Request, context?: AdminRequestContext) => Promise<Response> {
  const maxBytes = options.maxBodyBytes ?? ADMIN_MAX_BODY_BYTES
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new OcpiConfigError('admin API: maxBodyBytes must be a positive integer')
  }
  return async (request, context) => {
    try {
      if (options.authorize !== undefined && !(await options.authorize(request))) {
        throw new OcpiError('ERR_OCPI_UNAUTHORIZED', 'not authorized for the admin API')
      }
      if (options.allowCrossSite !== true && isCrossSite(request)) {
        throw new OcpiError(
          'ERR_OCPI_CROSS_SITE',
          'a browser sent this request from another site (Sec-Fetch-Site: cross-site): refused',
        )
      }
      const url = new URL(request.url)
      if (context?.routedPath !== undefined && context.routedPath !== url.pathname) {
        throw new OcpiError(
          'ERR_OCPI_INVALID_INPUT',
          'the request path has dot segments or characters a URL rewrites (.., %2e, \\): send it as served',
        )
      }
      const match = matchAdminRoute(url.pathname, context?.basePath ?? options.basePath)
      if (!match.ok) {
        throw match.reason === 'bad-peer-id'
          ? new OcpiError('ERR_OCPI_INVALID_INPUT', 'the peer id in the path is not valid percent-encoding')
          : new OcpiError('ERR_OCPI_NOT_FOUND', 'no admin route at this path')
      }
      const allowed = ADMIN_METHODS[match.route.name]
      if (!allowed.includes(request.method)) {
        return adminErrorResponse(
          new OcpiError(
            'ERR_OCPI_NOT_ALLOWED',
            `${request.method} is not served here (allowed: ${allowed.join(', ')})`,
          ),
          { allow: allowed.join(', ') },
        )
      }
      return await serve(ocpi, match.route, request, url, maxBytes)
    } catch (error) {
      const response = adminErrorResponse(error)
      if (response.status === 500) {
        try {
          options.onError?.(error, { method: request.method, path: pathOf(request.url) })
        } catch {}
      }
      return response
    }
  }
}

/** What the browser says of the request's initiator (Fetch Metadata); absent from non-browser clients. */
function isCrossSite(request: Request): boolean {
  return request.headers.get('sec-fetch-site')?.trim().toLowerCase() === 'cross-site'
}

async function serve(
  ocpi: Ocpi,
  route: AdminRoute,
  request: Request,
  url: URL,
  maxBytes: number,
): Promise<Response> {
  switch (route.name) {
    case 'invitations': {
      const body = parseAdminInput(invitationBodySchema, await readBody(request, maxBytes), 'body')
      const invitation = await ocpi.invite({
        ...(body.expires_in_seconds === undefined ? {} : { expiresIn: body.expires_in_seconds * 1000 }),
        ...(body.expected_parties === undefined ? {} : { expectedParties: body.expected_parties }),
        ...(body.expected_origin === undefined ? {} : { expectedOrigin: body.expected_origin }),
        ...(body.as === undefined ? {} : { as: body.as }),
      })
      const json: AdminInvitation = {
        peer_id: invitation.peerId,
        token: invitation.token,
        versions_url: invitation.versionsUrl,
        expires_at: invitation.expiresAt.toISOString(),
        expected_origin: invitation.expectedOrigin,
      }
      return adminJson(201, json, { location: peerLocation(url, invitation.peerId) })
    }
    case 'registrations': {
      const body = parseAdminInput(registrationBodySchema, await readBody(request, maxBytes), 'body')
      const peer = await ocpi.register({
        versionsUrl: body.versions_url,
        token: body.token,
        ...(body.as === undefined ? {} : { as: body.as }),
        ...(body.encoding === undefined ? {} : { encoding: body.encoding }),
      })
      return adminJson(201, adminPeerJson(peer), { location: peerLocation(url, peer.id) })
    }
    case 'peers': {
      const query = parseAdminInput(peersQuerySchema, queryObject(url), 'query')
      const page = await ocpi.listPeers({
        limit: query.limit + 1,
        ...(query.state === undefined ? {} : { state: query.state }),
        ...(query.after === undefined ? {} : { after: query.after }),
      })
      const peers = page.slice(0, query.limit)
      const json: AdminPeerList = {
        peers: peers.map(adminPeerJson),
        next: page.length > query.limit ? (peers.at(-1)?.id ?? null) : null,
      }
      return adminJson(200, json)
    }
    case 'peer': {
      if (request.method === 'DELETE') {
        const { peer, remote } = await ocpi.unregister(route.peerId)
        const json: AdminUnregistration = { ...adminPeerJson(peer), remote }
        return adminJson(200, json)
      }
      const peer = await ocpi.getPeer(route.peerId)
      if (peer === null) throw new OcpiError('ERR_OCPI_UNKNOWN_PEER', `no peer ${route.peerId}`)
      return adminJson(200, adminPeerJson(peer))
    }
    case 'rotation': {
      const body = parseAdminInput(rotationBodySchema, await readBody(request, maxBytes), 'body')
      const peer = await ocpi.rotate(route.peerId, {
        ...(body.version === undefined ? {} : { version: body.version }),
        ...(body.encoding === undefined ? {} : { encoding: body.encoding }),
      })
      return adminJson(200, adminPeerJson(peer))
    }
    case 'revocation': {
      const body = parseAdminInput(revocationBodySchema, await readBody(request, maxBytes), 'body')
      const { peer, invitation } = await ocpi.revoke(
        route.peerId,
        body.expected_origin === undefined ? {} : { expectedOrigin: body.expected_origin },
      )
      const json: AdminRevocation = {
        peer: adminPeerJson(peer),
        ...(invitation === null
          ? {}
          : {
              token: invitation.token,
              versions_url: invitation.versionsUrl,
              expires_at: invitation.expiresAt.toISOString(),
              expected_origin: invitation.expectedOrigin,
            }),
      }
      return adminJson(200, json)
    }
  }
}

/** The JSON body; an absent or empty body is `{}` (a JSON `null` is not: it fails validation). */
async function readBody(request: Request, maxBytes: number): Promise<unknown> {
  const json = await readAdminBody(request, maxBytes)
  return json === undefined ? {} : json
}

/** Query parameters as an object; a repeated parameter is refused rather than silently picked. */
function queryObject(url: URL): Record<string, string> {
  const names = [...url.searchParams.keys()]
  if (new Set(names).size !== names.length) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', 'invalid query: a parameter is repeated')
  }
  return Object.fromEntries(url.searchParams)
}

/** `…/peers/:id` next to the collection the request was made on (the mount prefix is kept). */
function peerLocation(url: URL, peerId: string): string {
  const base = url.pathname.replace(/\/?[^/]*\/?$/, '')
  return `${base}/peers/${encodeURIComponent(peerId)}`
}
