import type { ResolvedConfig } from './config.js'
import type { FaultBoard } from './faults.js'
import type { MockEndpoint, MockVersion } from './options.js'
import type { LiveExchange, Recorder } from './recorder.js'
import type { MockPeerRegistration } from './records.js'

/**
 * The mock's link with the platform under test. `last*` survive an unregistration so that the mock can
 * still try its own PUT or DELETE afterwards (and see the platform refuse it).
 *
 * @example
 * ```ts
 * if (session.registered) session.tokenFromSdk
 * ```
 */
export interface Session {
  registered: boolean
  version: MockVersion | null
  tokenForSdk: string | null
  /**
   * The token for the platform that the last PUT it made replaced: its grace (see {@link Principal}).
   * `null` once the platform uses its new token, once the link commits again, ends or is forgotten, and
   * after a POST or the mock's own PUT.
   */
  replacedTokenForSdk: string | null
  tokenFromSdk: string | null
  sdkVersionsUrl: string | null
  sdkEndpoints: readonly MockEndpoint[]
  registration: MockPeerRegistration | null
  lastVersion: MockVersion | null
  lastTokenFromSdk: string | null
  lastSdkVersionsUrl: string | null
  lastSdkEndpoints: readonly MockEndpoint[]
}

/**
 * Who is calling, by the token they presented: a holder of an unused TOKEN_A (`invite`), the registered
 * platform (`current`), the platform calling back during one of the mock's own POST/PUT (`pending`,
 * with the token the mock just sent), or the registered platform with the token its last PUT replaced
 * (`replaced`). The last is the mock's grace, as the core keeps one (reference §2.5: accept the old and
 * the new token for a while): a platform whose PUT answer was lost asks with its old token which token
 * the mock now holds for it (GET versions, details and credentials; the credentials answer carry the
 * current token), and that is no violation. The grace ends at the platform's first call with its new
 * token, as the core's does: after that, the old token is an unknown token again.
 *
 * @example
 * ```ts
 * const caller: Principal = { kind: 'invite', token: 'mock-a-…', version: null }
 * ```
 */
export interface Principal {
  readonly kind: 'invite' | 'current' | 'pending' | 'replaced'
  readonly token: string
  readonly version: MockVersion | null
}

/**
 * A token the mock offered in one of its own POST/PUT that is still open, with what the platform under
 * test fetched of the mock while it was open (its callback discovery, reference §2.4 step 6, §2.5 step 3).
 *
 * @example
 * ```ts
 * const offer: PendingOffer = { version: '2.2.1', step: 'POST credentials', fetched: new Set() }
 * ```
 */
export interface PendingOffer {
  /** The version of the credentials endpoint the mock called. */
  readonly version: MockVersion
  readonly step: 'POST credentials' | 'PUT credentials'
  /** `versions`: the versions list; `details`: the details of `version`. */
  readonly fetched: Set<'versions' | 'details'>
}

/**
 * Everything the mock's parts share.
 *
 * @example
 * ```ts
 * const ctx = createContext(config, faults, recorder)
 * ```
 */
export interface PeerContext {
  readonly config: ResolvedConfig
  readonly faults: FaultBoard
  readonly recorder: Recorder
  readonly session: Session
  /** Unused TOKEN_As. */
  readonly invitations: Set<string>
  /**
   * TOKEN_As that died with a registration. The SDK under test may present one once more on `GET
   * versions` (after a lost answer, it asks whether its TOKEN_A still works, which tells it whether the
   * peer committed): refused (401), but not recorded as a violation.
   */
  readonly retiredInvitations: Set<string>
  /**
   * Tokens of links dropped by {@link forgetLink}: refused (401) like any unknown token, but not recorded
   * as a violation, since the platform was never told.
   */
  readonly forgotten: Set<string>
  /**
   * Requests refused because of their token's form (`accepts`), by the token: a retry of the same
   * target in the accepted form withdraws the violation (a probe, reference §3.1, 2.2.1-d2 note).
   */
  readonly refusedForms: Map<string, { readonly exchange: LiveExchange; readonly message: string }>
  /** Tokens the mock sent in a POST/PUT still open, with the version of that request. */
  readonly pending: Map<string, PendingOffer>
}

/**
 * Creates the shared context with an unregistered session.
 *
 * @example
 * ```ts
 * const ctx = createContext(resolveConfig(options), createFaultBoard(), createRecorder())
 * ```
 */
export function createContext(config: ResolvedConfig, faults: FaultBoard, recorder: Recorder): PeerContext {
  return {
    config,
    faults,
    recorder,
    session: {
      registered: false,
      version: null,
      tokenForSdk: null,
      replacedTokenForSdk: null,
      tokenFromSdk: null,
      sdkVersionsUrl: null,
      sdkEndpoints: [],
      registration: null,
      lastVersion: null,
      lastTokenFromSdk: null,
      lastSdkVersionsUrl: null,
      lastSdkEndpoints: [],
    },
    invitations: new Set(),
    forgotten: new Set(),
    retiredInvitations: new Set(),
    refusedForms: new Map(),
    pending: new Map(),
  }
}

/**
 * Finds who a (decoded) token belongs to, or `undefined`.
 *
 * @example
 * ```ts
 * principalOf(ctx, 'mock-a-…') // { kind: 'invite', … }
 * ```
 */
export function principalOf(ctx: PeerContext, token: string): Principal | undefined {
  const { session } = ctx
  if (session.registered && token === session.tokenForSdk)
    return { kind: 'current', token, version: session.version }
  if (session.registered && token === session.replacedTokenForSdk)
    return { kind: 'replaced', token, version: session.version }
  const pending = ctx.pending.get(token)
  if (pending !== undefined) return { kind: 'pending', token, version: pending.version }
  if (ctx.invitations.has(token)) return { kind: 'invite', token, version: null }
  return undefined
}

/**
 * Commits a registration or an update: the link's version, both tokens, the platform's endpoints and
 * the Credentials it presented. With `grace` (a PUT the platform made), the token for the platform that
 * this replaces stays valid for its check of a lost answer (see {@link Principal}); any older one dies.
 *
 * @example
 * ```ts
 * commitLink(ctx, { version: '2.2.1', tokenForSdk, tokenFromSdk, sdkEndpoints, registration })
 * ```
 */
export function commitLink(
  ctx: PeerContext,
  link: {
    readonly version: MockVersion
    readonly tokenForSdk: string
    readonly tokenFromSdk: string
    readonly sdkEndpoints: readonly MockEndpoint[]
    readonly registration: MockPeerRegistration
    readonly grace?: boolean
  },
): void {
  const { session } = ctx
  session.replacedTokenForSdk = link.grace === true && session.registered ? session.tokenForSdk : null
  session.registered = true
  session.version = link.version
  session.tokenForSdk = link.tokenForSdk
  session.tokenFromSdk = link.tokenFromSdk
  session.sdkVersionsUrl = link.registration.url
  session.sdkEndpoints = link.sdkEndpoints
  session.registration = link.registration
  session.lastVersion = link.version
  session.lastTokenFromSdk = link.tokenFromSdk
  session.lastSdkVersionsUrl = link.registration.url
  session.lastSdkEndpoints = link.sdkEndpoints
}

/**
 * Ends the link: both tokens are void; what the mock last knew is kept for its own later attempts.
 *
 * @example
 * ```ts
 * dropLink(ctx)
 * ```
 */
export function dropLink(ctx: PeerContext): void {
  const { session } = ctx
  session.registered = false
  session.version = null
  session.tokenForSdk = null
  session.replacedTokenForSdk = null
  session.tokenFromSdk = null
}

/**
 * Notes a successful GET of the mock's versions list or version details by the platform under test, for
 * the mock's own POST/PUT still open. It counts for a POST when made with the token the POST offers
 * (reference §2.4 step 6: TOKEN_B for every call, the discovery GETs included). For a PUT, the reference
 * names no token for the re-fetch (§2.5 step 3): the offered token and the link's current one both count.
 * Details count for the version of the credentials endpoint called only.
 *
 * @example
 * ```ts
 * noteDiscovery(ctx, caller, 'details', '2.2.1')
 * ```
 */
export function noteDiscovery(
  ctx: PeerContext,
  caller: Principal,
  what: 'versions' | 'details',
  version: MockVersion | null,
): void {
  for (const [token, offer] of ctx.pending) {
    const counts = caller.token === token || (offer.step === 'PUT credentials' && caller.kind === 'current')
    if (!counts) continue
    if (what === 'versions') offer.fetched.add('versions')
    else if (version === offer.version) offer.fetched.add('details')
  }
}

/**
 * Forgets the link as the mock's admin would after losing track of it: no link, no tokens, no version,
 * nothing kept for the mock's own later attempts; the platform's last Credentials are forgotten too. The
 * platform under test is not told (no DELETE). Unused invitations and open requests are left alone.
 *
 * @example
 * ```ts
 * forgetLink(ctx)
 * ```
 */
export function forgetLink(ctx: PeerContext): void {
  const { session } = ctx
  for (const token of [session.tokenForSdk, session.replacedTokenForSdk])
    if (token !== null) ctx.forgotten.add(token)
  dropLink(ctx)
  session.sdkVersionsUrl = null
  session.sdkEndpoints = []
  session.registration = null
  session.lastVersion = null
  session.lastTokenFromSdk = null
  session.lastSdkVersionsUrl = null
  session.lastSdkEndpoints = []
}

/** Every outstanding TOKEN_A dies: the mock has one link, registered now (reference §2.4 step 8). */
export function retireInvitations(ctx: PeerContext): void {
  for (const token of ctx.invitations) ctx.retiredInvitations.add(token)
  ctx.invitations.clear()
}
