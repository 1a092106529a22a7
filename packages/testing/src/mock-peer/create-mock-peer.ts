import type { HttpHandler } from 'msw'
import { resolveConfig } from './config.js'
import { createContext, forgetLink } from './context.js'
import { createFaultBoard, type MockPeerFailOptions, type MockPeerFaultMode } from './faults.js'
import type { MockPeerOptions, MockVersion } from './options.js'
import { createRecorder } from './recorder.js'
import type {
  MockPeerExchange,
  MockPeerFoundViolation,
  MockPeerRegistration,
  MockPeerResult,
  MockPeerState,
} from './records.js'
import { registerWith, rotateWith, unregisterWith } from './sender.js'
import { newToken } from './token.js'
import { type FetchLike, mockFetch, mswHandlers } from './transports.js'

/**
 * A compliant, strict remote OCPI platform for tests, written independently of the core. See
 * {@link createMockPeer}.
 *
 * @example
 * ```ts
 * const peer = createMockPeer({ baseUrl: 'https://emsp.example.com/ocpi' })
 * const server = setupServer(...peer.handlers)
 * ```
 */
export interface MockPeer {
  /** msw request handlers for every URL under `baseUrl`: `setupServer(...peer.handlers)`. */
  readonly handlers: readonly HttpHandler[]
  /**
   * The same endpoints as a `fetch`, to inject as the transport of the platform under test. URLs outside
   * `baseUrl` go to `options.fetch` when it was given, else reject with a `TypeError`.
   */
  readonly fetch: FetchLike
  /** `${baseUrl}/versions`, the base URL written as the URL parser writes it (see {@link MockPeerOptions.baseUrl}). */
  readonly versionsUrl: string
  /** A snapshot of the link. */
  readonly state: MockPeerState
  /** The Credentials the platform under test last presented, or `null`. Kept after an unregistration. */
  readonly registeredWith: MockPeerRegistration | null
  /** A snapshot of every request received and made, in the order they started. */
  readonly exchanges: readonly MockPeerExchange[]
  /** Every violation recorded in {@link MockPeer.exchanges}. */
  readonly violations: readonly MockPeerFoundViolation[]
  /**
   * Issues a fresh TOKEN_A (single use, valid on versions, details and credentials only). Every unused
   * TOKEN_A dies when a registration completes (either way): the mock has one link.
   */
  invite(): string
  /** As Sender: registers with the platform under test, given the TOKEN_A it issued. */
  register(input: { readonly versionsUrl: string; readonly token: string }): Promise<MockPeerResult>
  /** Updates the link with a PUT carrying a new token (re-discovering first); optionally switches version. */
  rotate(input?: { readonly version?: MockVersion }): Promise<MockPeerResult>
  /** Ends the link with a DELETE. */
  unregister(): Promise<MockPeerResult>
  /**
   * Switches a fault on (see {@link MockPeerFaultMode}). Throws a `TypeError`, switching nothing on, for
   * an unknown mode, a target that names no endpoint of the mock nor one of its own steps (the message
   * lists the valid ones), or a target the mode cannot affect.
   */
  fail(mode: MockPeerFaultMode, options?: MockPeerFailOptions): void
  /** Switches every fault off; requests held by `slow` go on and are answered. */
  heal(): void
  /** Clears the recorded exchanges (not the link, the invitations nor the faults). */
  reset(): void
  /**
   * Drops the mock's side of the link as its admin would, without telling the platform under test (no
   * DELETE): both tokens, the version, the platform's endpoints and Credentials are forgotten, so the
   * platform's token is refused with 401 everywhere and a fresh {@link MockPeer.invite} can register
   * again (a POST is no longer answered 405). The remedy after a POST answer lost once the mock had
   * committed: "ask its admin to remove the link and for a fresh TOKEN_A". Unused invitations, faults and
   * the recorded exchanges are kept.
   *
   * @example
   * ```ts
   * peer.fail('lost-response', { on: 'POST credentials', times: 1 })
   * await expect(ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })).rejects.toThrow()
   * peer.forgetLink()
   * expect((await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })).state).toBe('registered')
   * ```
   */
  forgetLink(): void
}

/**
 * Creates a mock OCPI platform that a host's platform can register with (the mock as Receiver: hand it
 * `peer.invite()` and `peer.versionsUrl`) or that registers with the host (the mock as Sender:
 * `peer.register(...)`). It follows the specification strictly, checks everything it receives and
 * records what is wrong instead of silently accepting it.
 *
 * Transport: serve the mock with msw (`peer.handlers`) or inject `peer.fetch` as the host's `fetch`. The
 * mock reaches the host through `options.fetch` (default `globalThis.fetch`, looked up at call time): give
 * it the host's web handler (`fetch: (request) => ocpi.handle(request)`) to run without any network.
 *
 * @example
 * ```ts
 * const peer = createMockPeer({
 *   baseUrl: 'https://emsp.example.com/ocpi',
 *   versions: ['2.1.1', '2.2.1'],
 *   parties: [{ role: 'EMSP', country_code: 'DE', party_id: 'MSP' }],
 *   fetch: (request) => ocpi.handle(request),
 * })
 * await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
 * expect(peer.state.registered).toBe(true)
 * expect(peer.violations).toEqual([])
 *
 * peer.fail('lost-response', { on: 'PUT credentials', times: 1 })
 * ```
 */
export function createMockPeer(options: MockPeerOptions): MockPeer {
  const config = resolveConfig(options)
  const modules = config.endpoints.map((endpoint) => endpoint.identifier)
  const ctx = createContext(config, createFaultBoard(modules), createRecorder())
  const handlers = mswHandlers(ctx)
  const fetch = mockFetch(ctx)
  return {
    handlers,
    fetch,
    versionsUrl: ctx.config.versionsUrl,
    get state(): MockPeerState {
      const s = ctx.session
      return {
        registered: s.registered,
        version: s.version,
        sdkParties: s.registration?.parties ?? [],
        sdkVersionsUrl: s.sdkVersionsUrl,
        sdkEndpoints: s.sdkEndpoints,
        tokenForSdk: s.tokenForSdk,
        tokenFromSdk: s.tokenFromSdk,
        invitations: [...ctx.invitations],
      }
    },
    get registeredWith() {
      return ctx.session.registration
    },
    get exchanges() {
      return ctx.recorder.all()
    },
    get violations() {
      return ctx.recorder.all().flatMap((exchange) =>
        exchange.violations.map((violation) => ({
          ...violation,
          exchangeId: exchange.id,
          direction: exchange.direction,
          target: exchange.target,
        })),
      )
    },
    invite() {
      const token = newToken('a')
      ctx.invitations.add(token)
      return token
    },
    register: (input) => registerWith(ctx, input),
    rotate: (input = {}) => rotateWith(ctx, input),
    unregister: () => unregisterWith(ctx),
    fail(mode, failOptions = {}) {
      ctx.faults.add(mode, failOptions)
    },
    heal() {
      ctx.faults.clear()
    },
    reset() {
      ctx.recorder.reset()
    },
    forgetLink() {
      forgetLink(ctx)
    },
  }
}
