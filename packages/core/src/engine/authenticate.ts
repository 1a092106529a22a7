import { isOwnParty } from '../config.js'
import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import type { Party, TokenEncoding } from '../model.js'
import { connectionStatusOf, isHubLink, samePartyRef } from '../model.js'
import type { Endpoint } from '../protocol/schemas.js'
import type { SupportedVersion } from '../protocol/versions.js'
import { errorResponse, requestIdsOf } from '../server/envelope.js'
import { failedRequest } from '../server/failed-request.js'
import { contactTimeOf, matchInboundToken, noteTokenUse, recordContact } from '../server/inbound-token.js'
import { pathOf } from '../server/path-of.js'

/**
 * The peer behind an authenticated request to one of the host's own modules.
 *
 * @example
 * ```ts
 * const result = await ocpi.authenticate(request, { module: 'locations' })
 * if (result.ok) console.log(result.peer.id, result.peer.parties)
 * ```
 */
export interface AuthenticatedPeer {
  readonly id: string
  readonly version: SupportedVersion
  readonly parties: readonly Party[]
  readonly endpoints: readonly Endpoint[]
  readonly hubPartyId: string | null
  /** Which form of the Authorization header the peer used. */
  readonly tokenForm: TokenEncoding
}

/**
 * What {@link Ocpi.authenticate} reads of a request: its method, URL and headers, never its body. A web
 * `Request` is one; bindings pass a lighter object over their framework's request (no copy of the body
 * or of every header), which matters on a path that runs on every request.
 *
 * @example
 * ```ts
 * const input: AuthenticationRequest = { method: req.method, url: fullUrl, headers: { get: (n) => req.get(n) ?? null } }
 * ```
 */
export interface AuthenticationRequest {
  readonly method: string
  readonly url: string
  readonly headers: {
    /** The value of the named header (case-insensitive), or `null` when it is absent. */
    get(name: string): string | null
  }
}

/**
 * The answer of {@link Ocpi.authenticate}: the peer, or a ready OCPI response to send back (401; 500 / 3000
 * when the store fails).
 *
 * @example
 * ```ts
 * if (!result.ok) return result.response
 * ```
 */
export type AuthenticateResult =
  | { readonly ok: true; readonly peer: AuthenticatedPeer }
  | { readonly ok: false; readonly response: Response }

/**
 * Options of {@link Ocpi.authenticate}.
 *
 * @example
 * ```ts
 * await ocpi.authenticate(request, { module: 'sessions' })
 * ```
 */
export interface AuthenticateOptions {
  /** The module the request addresses (named in the refusal's message). */
  readonly module: string
}

/**
 * The synchronous fast path of {@link authenticate}, for bindings and hosts on a hot path: the peer when
 * this process authenticated the same Authorization header less than `authCacheTtlMs` ago, the
 * `OCPI-from-*` headers (when present) name one of its parties (on a hub link: any party but ours), and
 * no contact write is due. Anything else gives `null`, which is not a refusal: the caller goes on to
 * `authenticate`, which always answers (and refuses). Saves the promise and the microtask hops of
 * `authenticate` on a cache hit, which under load is most of what authentication costs.
 *
 * @example
 * ```ts
 * const cached = authenticateCached(ctx, request)
 * const result = cached !== null ? { ok: true, peer: cached } : await authenticate(ctx, request, options)
 * ```
 */
export function authenticateCached(
  ctx: Context,
  request: Pick<AuthenticationRequest, 'headers'>,
): AuthenticatedPeer | null {
  const header = request.headers.get('authorization')
  if (header === null) return null
  const now = ctx.now()
  const hit = ctx.authCache.get(header, now)
  if (hit === null || contactDue(hit.lastContactAt, now)) return null
  return claimsParty(ctx, request, hit.peer) ? hit.peer : null
}

/** Whether contact must be written: never recorded, or last recorded `CONTACT_WRITE_INTERVAL_MS` ago. */
function contactDue(lastContactAt: number | null, now: number): boolean {
  return lastContactAt === null || now - lastContactAt >= CONTACT_WRITE_INTERVAL_MS
}

/**
 * True when the request's `OCPI-from-*` headers are absent or name one of the peer's parties, or, on a
 * hub link, any well-formed party but one of ours: a hub forwards the requests of the parties behind it,
 * and FROM names the requesting party (§3.6), which a 2.2.1 hub never lists as its own (it reports only
 * itself, §2.8). The host authorises such a party itself, reading the headers (a party outside
 * `peer.parties` is one the hub vouches for). A hub is checked first: its parties may be thousands.
 */
function claimsParty(
  ctx: Context,
  request: Pick<AuthenticationRequest, 'headers'>,
  peer: Pick<AuthenticatedPeer, 'parties' | 'hubPartyId'>,
): boolean {
  const fromCountry = request.headers.get('ocpi-from-country-code')
  const fromParty = request.headers.get('ocpi-from-party-id')
  if (fromCountry === null && fromParty === null) return true
  const claimed = { country_code: (fromCountry ?? '').trim(), party_id: (fromParty ?? '').trim() }
  if (isHubLink(peer)) {
    return (
      /^[A-Za-z]{2}$/.test(claimed.country_code) &&
      /^[A-Za-z0-9]{1,3}$/.test(claimed.party_id) &&
      !isOwnParty(ctx.config, claimed)
    )
  }
  return peer.parties.some((p) => samePartyRef(p, claimed))
}

/** Contact is written at most this often per peer from authenticated traffic. */
const CONTACT_WRITE_INTERVAL_MS = 30_000

/**
 * Authenticates a request to one of the host's own modules: the token must belong to a registered link
 * (TOKEN_A and pending registrations are refused: they are valid on versions, details and credentials
 * only), and `OCPI-from-*` headers, when present, must name one of the peer's parties (on a hub link,
 * any well-formed party but ours: see `claimsParty`). One digest lookup (two for a Base64 header: the raw
 * value is tried first) and one record read, whatever the number of
 * peers; contact is recorded without touching the revision. A successful authentication is cached per
 * process for at most `authCacheTtlMs` (default 1 s) and cleared by any local token write: a token
 * revoked or rotated by another instance stops working here within that time.
 *
 * @example
 * ```ts
 * const result = await authenticate(ctx, request, { module: 'locations' })
 * ```
 */
export async function authenticate(
  ctx: Context,
  request: AuthenticationRequest,
  options: AuthenticateOptions,
): Promise<AuthenticateResult> {
  const refuse = (
    message: string,
    reason: 'scope' | 'unknown',
    peerId: string | null,
  ): AuthenticateResult => {
    ctx.events.emit('authentication-failed', {
      reason,
      method: request.method,
      path: pathOf(request.url),
      peerId,
    })
    return {
      ok: false,
      response: errorResponse(
        new OcpiError('ERR_OCPI_UNAUTHORIZED', message),
        requestIdsOf(request),
        ctx.now(),
      ),
    }
  }
  const header = request.headers.get('authorization')
  const started = ctx.now()
  // The hot path: a recent successful authentication of the same header (see AuthCache for why it is safe).
  const hit = header === null ? null : ctx.authCache.get(header, started)
  // A hit without a recorded contact (its first-use write failed) authenticates in full, writing again.
  if (hit !== null && hit.lastContactAt !== null) {
    if (!claimsParty(ctx, request, hit.peer)) {
      return refuse('OCPI-from-* names a party this token does not represent', 'scope', hit.peer.id)
    }
    if (contactDue(hit.lastContactAt, started)) {
      // Marked before the write, so concurrent requests do not all write; unmarked if it fails, so the
      // next request writes again (and the synchronous path does not serve meanwhile).
      const previous = hit.lastContactAt
      hit.lastContactAt = started
      if (!(await recordContact(ctx, hit.peer.id, started))) hit.lastContactAt = previous
    }
    return { ok: true, peer: hit.peer }
  }
  const generation = ctx.authCache.generation
  try {
    const matched = await matchInboundToken(ctx, request)
    const { record } = matched
    if (record.kind === 'consumed-invitation') return refuse('unknown token', 'unknown', null)
    if (record.kind === 'invitation' || record.kind === 'pending-registration') {
      return refuse(
        `this token is valid only on versions, version details and credentials, not on ${options.module}`,
        'scope',
        record.peerId,
      )
    }
    const peer = await ctx.store.getPeer(record.peerId)
    if (peer === null || peer.state !== 'registered')
      return refuse('not registered', 'unknown', record.peerId)
    if (!claimsParty(ctx, request, peer.link)) {
      return refuse('OCPI-from-* names a party this token does not represent', 'scope', peer.id)
    }
    const now = ctx.now()
    let lastContactAt = peer.lastContactAt
    if (
      (record.kind === 'current' && record.supersedes !== null) ||
      contactDue(lastContactAt, now) ||
      // A peer marked OFFLINE that calls us is CONNECTED again at once (as documented), not 30 s later.
      connectionStatusOf(peer) === 'OFFLINE' ||
      // The first use since the registration is always recorded: it closes the POST's replay window.
      (lastContactAt !== null && lastContactAt <= peer.registeredAt)
    ) {
      // A failed write stays due (null): the next request writes again, the cache must not say it was done.
      lastContactAt = (await noteTokenUse(ctx, record, now)) ? contactTimeOf(record, now) : null
    }
    const authenticated: AuthenticatedPeer = {
      id: peer.id,
      version: peer.link.version,
      parties: peer.link.parties,
      endpoints: peer.link.endpoints,
      hubPartyId: peer.link.hubPartyId,
      tokenForm: matched.form,
    }
    if (header !== null) {
      const validUntil = Math.min(started + ctx.authCache.ttlMs, record.expiresAt ?? Number.POSITIVE_INFINITY)
      ctx.authCache.set(header, { peer: authenticated, validUntil, lastContactAt }, generation)
    }
    return { ok: true, peer: authenticated }
  } catch (error) {
    return {
      ok: false,
      response: failedRequest(
        ctx,
        'authenticating an OCPI request failed',
        error,
        request,
        requestIdsOf(request),
      ),
    }
  }
}
