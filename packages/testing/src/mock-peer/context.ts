import type { ResolvedConfig } from './config.js'
import type { FaultBoard } from './faults.js'
import type { MockEndpoint, MockVersion } from './options.js'
import type { Recorder } from './recorder.js'
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
 * platform (`current`), or the platform calling back during one of the mock's own POST/PUT (`pending`,
 * with the token the mock just sent).
 *
 * @example
 * ```ts
 * const caller: Principal = { kind: 'invite', token: 'mock-a-…', version: null }
 * ```
 */
export interface Principal {
  readonly kind: 'invite' | 'current' | 'pending'
  readonly token: string
  readonly version: MockVersion | null
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
  /** Tokens the mock sent in a POST/PUT still open, with the version of that request. */
  readonly pending: Map<string, MockVersion>
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
  const pending = ctx.pending.get(token)
  if (pending !== undefined) return { kind: 'pending', token, version: pending }
  if (ctx.invitations.has(token)) return { kind: 'invite', token, version: null }
  return undefined
}

/**
 * Commits a registration or an update: the link's version, both tokens, the platform's endpoints and
 * the Credentials it presented.
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
  },
): void {
  const { session } = ctx
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
  session.tokenFromSdk = null
}
