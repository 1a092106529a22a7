import type { ResolvedConfig } from './config.js'
import { type PeerContext, type Principal, principalOf } from './context.js'
import type { MockVersion } from './options.js'
import { encodingFor, isModern, ROUTING_HEADERS } from './protocol.js'
import type { LiveExchange } from './recorder.js'
import { parseAuthorization, type TokenReading } from './token.js'

/**
 * Whether the 2.2+ transport rules apply; with no version known, whether all the mock's versions are 2.2+.
 *
 * @example
 * ```ts
 * modernTransport(config, null)
 * ```
 */
export function modernTransport(config: ResolvedConfig, version: MockVersion | null): boolean {
  return version === null ? config.versions.every(isModern) : isModern(version)
}

/**
 * Authenticates a request: the `Token ` scheme, the encodings the mock accepts, and a token it knows.
 * Records what is wrong (including an encoding other than the expected one, which is still accepted when
 * `accepts` allows it). The expected encoding is that of the caller's link on a module call; on versions,
 * version details and credentials, that of the endpoint's version or of the caller's link, either one
 * (a PUT that changes version and the discovery around it). Returns the caller, or `undefined` for a 401.
 *
 * @example
 * ```ts
 * const caller = authorize(ctx, request, exchange, '2.2.1', 'details')
 * if (caller === undefined) return ocpiReply(401, 2000, undefined, 'Unauthorized')
 * ```
 */
export function authorize(
  ctx: PeerContext,
  request: Request,
  exchange: LiveExchange,
  routeVersion: MockVersion | null,
  routeKind: 'versions' | 'details' | 'credentials' | 'module',
): Principal | undefined {
  const parsed = parseAuthorization(request.headers.get('authorization'))
  if (parsed.kind === 'missing') {
    exchange.flag('authorization-missing', 'the Authorization header is missing')
    return undefined
  }
  if (parsed.kind === 'bad-scheme') {
    exchange.flag(
      'authorization-scheme',
      'the Authorization header must be "Token", one space, then the token',
    )
    return undefined
  }
  let match: { reading: TokenReading; principal: Principal } | undefined
  for (const reading of parsed.readings) {
    const principal = principalOf(ctx, reading.token)
    if (principal !== undefined) {
      match = { reading, principal }
      break
    }
  }
  if (match === undefined) {
    // The mock dropped this link without telling the platform (peer.forgetLink()): 401, not its fault.
    if (parsed.readings.some((reading) => ctx.forgotten.has(reading.token))) return undefined
    // A TOKEN_A that died with the registration, asked on GET versions: the SDK's check of a lost answer.
    const retired = parsed.readings.some((reading) => ctx.retiredInvitations.has(reading.token))
    if (retired && routeKind === 'versions') return undefined
    exchange.flag('unknown-token', 'the token matches no party (unknown, retired or consumed)')
    return undefined
  }
  const { reading, principal } = match
  // The token a PUT replaced serves the check of a lost answer only (see Principal): the GETs of
  // versions, details and credentials. Used elsewhere, it is a platform that missed its new token.
  if (principal.kind === 'replaced' && (request.method !== 'GET' || routeKind === 'module')) {
    exchange.flag(
      'unknown-token',
      'the token was replaced by the last PUT: it is taken only on GET versions, details and credentials',
    )
    return undefined
  }
  const accepts = ctx.config.accepts
  if (accepts !== 'both' && reading.encoding !== accepts) {
    const message = `a ${reading.encoding} token was refused: this peer accepts ${accepts} tokens only`
    exchange.flag('token-encoding', message)
    ctx.refusedForms.set(principal.token, { exchange, message })
    return undefined
  }
  // Reference §3.1 (2.2.1-d2 note): a party that wants compatibility chooses the form per peer, by
  // probing. A refused form followed by the same request in the accepted form is that probe, not a fault.
  const refused = ctx.refusedForms.get(principal.token)
  if (refused !== undefined) {
    ctx.refusedForms.delete(principal.token)
    if (refused.exchange.target === exchange.target)
      refused.exchange.unflag('token-encoding', refused.message)
  }
  // A mock that accepts one form only expects that form, whatever it sends (`tokenEncoding`): the token
  // got here in it, and the other form was refused above. One that accepts both expects its own form:
  // a PUT that changes version (2.1.1 -> 2.2.1) may use either version's encoding: the spec does not say
  // (reference §2.5, unverified), and neither for the discovery around it. With no version in play (the
  // versions list fetched with a TOKEN_A), the caller cannot know which version it will speak: either
  // form is fine. A module call belongs to the link's version: only its form is expected there.
  const inPlay =
    routeKind === 'module' && principal.version !== null
      ? [principal.version]
      : [routeVersion, principal.version].filter((v) => v !== null)
  const expected = new Set(inPlay.map((v) => encodingFor(ctx.config.tokenEncoding, v)))
  if (accepts === 'both' && expected.size > 0 && !expected.has(reading.encoding))
    exchange.flag(
      'token-encoding',
      `the token was sent ${reading.encoding}, expected ${[...expected].join(' or ')}`,
    )
  if (reading.trailingLineFeed)
    exchange.flag('token-encoding', 'the Base64 value encodes the token followed by a line feed')
  // The platform used its new token: it has the PUT's answer, so the replaced token's grace ends here, as
  // the core's does at the first use of the new token (reference §2.5: a short overlap, not a second token).
  if (principal.kind === 'current') ctx.session.replacedTokenForSdk = null
  return principal
}

/**
 * Checks the 2.2+ transport headers: X-Request-ID and X-Correlation-ID on every request; routing headers
 * never on configuration modules, on functional ones always (and matching the parties) unless the link is
 * direct with exactly one party on each side (then they may be left out).
 *
 * @example
 * ```ts
 * checkTransportHeaders(ctx, request, exchange, '2.2.1', 'configuration')
 * ```
 */
export function checkTransportHeaders(
  ctx: PeerContext,
  request: Request,
  exchange: LiveExchange,
  version: MockVersion | null,
  kind: 'configuration' | 'functional',
): void {
  const headers = request.headers
  const modern = modernTransport(ctx.config, version)
  if (modern && !headers.has('x-request-id'))
    exchange.flag('request-id-missing', `X-Request-ID is required on ${version ?? '2.2+'}`)
  if (modern && !headers.has('x-correlation-id'))
    exchange.flag('correlation-id-missing', `X-Correlation-ID is required on ${version ?? '2.2+'}`)
  const present = ROUTING_HEADERS.filter((name) => headers.has(name))
  if (kind === 'configuration') {
    if (present.length > 0)
      exchange.flag(
        'routing-headers-on-configuration-module',
        `routing headers must not be sent to versions, details or credentials: ${present.join(', ')}`,
      )
    return
  }
  if (!modern) return
  // Reference §3.6: the one stated exception is a direct link where each side has exactly one party.
  if (present.length === 0 && directOneToOne(ctx)) return
  const missing = ROUTING_HEADERS.filter((name) => !headers.has(name))
  if (missing.length > 0) {
    exchange.flag(
      'routing-headers-missing',
      `routing headers are required on ${version}: ${missing.join(', ')}`,
    )
    return
  }
  const to = party(headers, 'to')
  if (!ctx.config.parties.some((p) => samePartyAs(p, to)))
    exchange.flag(
      'routing-headers-mismatch',
      `OCPI-to ${to.country_code}*${to.party_id} is not a party of this peer`,
    )
  const from = party(headers, 'from')
  const presented = ctx.session.registration?.parties ?? []
  if (presented.length > 0 && !presented.some((p) => samePartyAs(p, from)))
    exchange.flag(
      'routing-headers-mismatch',
      `OCPI-from ${from.country_code}*${from.party_id} is not a party the caller registered`,
    )
}

/**
 * Checks that a request with a body declares `Content-Type: application/json`: a 2.2+ rule (reference
 * §3.7), so not on 2.1.1.
 *
 * @example
 * ```ts
 * checkContentType(ctx, request, exchange, '2.2.1', text !== '')
 * ```
 */
export function checkContentType(
  ctx: PeerContext,
  request: Request,
  exchange: LiveExchange,
  version: MockVersion | null,
  hasBody: boolean,
): void {
  if (!hasBody || !modernTransport(ctx.config, version)) return
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json')
    exchange.flag(
      'content-type',
      `a request body needs Content-Type: application/json (got ${type ?? 'none'})`,
    )
}

function directOneToOne(ctx: PeerContext): boolean {
  const ours = ctx.config.parties
  const theirs = ctx.session.registration
  return (
    ours.length === 1 &&
    ours[0]?.role !== 'HUB' &&
    ctx.config.hubPartyId === null &&
    theirs !== null &&
    theirs.parties.length === 1 &&
    theirs.parties[0]?.role !== 'HUB' &&
    theirs.hubPartyId === null
  )
}

function party(headers: Headers, side: 'from' | 'to'): { country_code: string; party_id: string } {
  return {
    country_code: headers.get(`ocpi-${side}-country-code`) ?? '',
    party_id: headers.get(`ocpi-${side}-party-id`) ?? '',
  }
}

function samePartyAs(
  a: { readonly country_code: string; readonly party_id: string },
  b: { readonly country_code: string; readonly party_id: string },
): boolean {
  return (
    a.country_code.toUpperCase() === b.country_code.toUpperCase() &&
    a.party_id.toUpperCase() === b.party_id.toUpperCase()
  )
}
