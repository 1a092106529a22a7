/**
 * One admin route, recognised by the tail of a request's path (the handler may be mounted under any
 * prefix). `peerId` is URL-decoded.
 *
 * @example
 * ```ts
 * const route: AdminRoute = { name: 'peer', peerId: '6f1c…' }
 * ```
 */
export type AdminRoute =
  | { readonly name: 'invitations' }
  | { readonly name: 'registrations' }
  | { readonly name: 'peers' }
  | { readonly name: 'peer'; readonly peerId: string }
  | { readonly name: 'rotation'; readonly peerId: string }
  | { readonly name: 'revocation'; readonly peerId: string }

/**
 * What {@link matchAdminRoute} found: a route, nothing, or a peer id that is not valid percent-encoding.
 *
 * @example
 * ```ts
 * const match: AdminRouteMatch = { ok: true, route: { name: 'peers' } }
 * ```
 */
export type AdminRouteMatch =
  | { readonly ok: true; readonly route: AdminRoute }
  | { readonly ok: false; readonly reason: 'not-found' | 'bad-peer-id' }

/**
 * The methods each route serves, for 405 answers and their `Allow` header.
 *
 * @example
 * ```ts
 * ADMIN_METHODS.peer // ['GET', 'DELETE']
 * ```
 */
export const ADMIN_METHODS: Readonly<Record<AdminRoute['name'], readonly string[]>> = {
  invitations: ['POST'],
  registrations: ['POST'],
  peers: ['GET'],
  peer: ['GET', 'DELETE'],
  rotation: ['POST'],
  revocation: ['POST'],
}

/**
 * Matches a URL path against the admin routes. With `basePath` (where the handler is mounted), the rest of
 * the path must be exactly one route: `/admin/x/invitations` is no route under `/admin`, so a host's
 * path-based guard on `/admin/invitations` cannot be walked around. Without it, routes are recognised by
 * the path's tail (the most specific pattern wins: `…/peers/:id/rotation` and `…/peers/:id/revocation`
 * first, then `…/invitations`, `…/registrations` and `…/peers`, then `…/peers/:id`), and a single
 * trailing slash is ignored. Under a `basePath`, a trailing slash makes no route: a guard on
 * `/admin/invitations` cannot be walked around through `/admin/invitations/`. Pure: no I/O.
 *
 * @example
 * ```ts
 * matchAdminRoute('/admin/peers/a%2Fb/rotation') // { ok: true, route: { name: 'rotation', peerId: 'a/b' } }
 * matchAdminRoute('/admin/x/invitations', '/admin') // { ok: false, reason: 'not-found' }
 * ```
 */
export function matchAdminRoute(pathname: string, basePath?: string): AdminRouteMatch {
  if (basePath !== undefined) {
    const base = basePath.replace(/\/+$/, '')
    if (!pathname.startsWith(`${base}/`)) return NOT_FOUND
    return matchSegments(pathname.slice(base.length + 1).split('/'))
  }
  // By the tail: the most specific shape first (…/peers/:id/action, then …/name, then …/peers/:id).
  // A single trailing slash is ignored here: tail matching gives path guards no hold anyway.
  const segments = pathname.split('/')
  if (segments.length > 1 && segments.at(-1) === '') segments.pop()
  for (const depth of [3, 1, 2]) {
    if (segments.length < depth) continue
    const match = matchSegments(segments.slice(-depth))
    if (match.ok || match.reason === 'bad-peer-id') return match
  }
  return NOT_FOUND
}

const NOT_FOUND: AdminRouteMatch = { ok: false, reason: 'not-found' }

/** Exactly one route's segments: `name`, `peers/:id` or `peers/:id/action`. */
function matchSegments([first, id, action, ...more]: readonly string[]): AdminRouteMatch {
  if (more.length > 0) return NOT_FOUND
  if (id === undefined) {
    return first === 'invitations' || first === 'registrations' || first === 'peers'
      ? { ok: true, route: { name: first } }
      : NOT_FOUND
  }
  if (first !== 'peers') return NOT_FOUND
  if (action === undefined) return withPeerId('peer', id)
  return action === 'rotation' || action === 'revocation' ? withPeerId(action, id) : NOT_FOUND
}

function withPeerId(name: 'peer' | 'rotation' | 'revocation', raw: string): AdminRouteMatch {
  if (raw === '') return { ok: false, reason: 'not-found' }
  let peerId: string
  try {
    peerId = decodeURIComponent(raw)
  } catch {
    return { ok: false, reason: 'bad-peer-id' }
  }
  return { ok: true, route: { name, peerId } }
}
