import type { MockEndpoint, MockParty, MockVersion } from './options.js'

/**
 * What the mock found wrong in a request it received, or in an answer it got from the platform under test.
 *
 * - `authorization-missing`, `authorization-scheme` (not `Token <value>`), `token-encoding` (raw where
 *   Base64 is expected or the reverse, or Base64 of the token plus a line feed), `unknown-token`,
 *   `token-a-out-of-scope` (TOKEN_A on a functional module), `version-mismatch` (a module call on a
 *   version other than the link's);
 * - `request-id-missing`, `correlation-id-missing` (2.2+);
 * - `routing-headers-on-configuration-module` (OCPI-from/to on versions, details, credentials),
 *   `routing-headers-missing` and `routing-headers-mismatch` (functional modules, 2.2+);
 * - `content-type` (a body without `Content-Type: application/json`), `invalid-json`,
 *   `invalid-credentials` (a Credentials body wrong for its version; one violation per problem);
 * - in answers from the platform under test: `response-content-type`, `response-not-envelope`,
 *   `request-id-not-echoed`, `correlation-id-not-echoed`, `invalid-versions`, `invalid-details`,
 *   `details-missing-credentials`;
 * - `discovery-skipped`: the platform answered the mock's own POST or PUT credentials without first
 *   fetching the mock's versions and version details (with the token the mock offered; on a PUT its
 *   current token counts too) while the request was open. Such an answer is not counted as `ok`.
 *
 * @example
 * ```ts
 * const code: MockPeerViolationCode = 'routing-headers-on-configuration-module'
 * ```
 */
export type MockPeerViolationCode =
  | 'authorization-missing'
  | 'authorization-scheme'
  | 'token-encoding'
  | 'unknown-token'
  | 'token-a-out-of-scope'
  | 'version-mismatch'
  | 'request-id-missing'
  | 'correlation-id-missing'
  | 'routing-headers-on-configuration-module'
  | 'routing-headers-missing'
  | 'routing-headers-mismatch'
  | 'content-type'
  | 'invalid-json'
  | 'invalid-credentials'
  | 'response-content-type'
  | 'response-not-envelope'
  | 'request-id-not-echoed'
  | 'correlation-id-not-echoed'
  | 'invalid-versions'
  | 'invalid-details'
  | 'details-missing-credentials'
  | 'discovery-skipped'

/**
 * One problem found in an exchange.
 *
 * @example
 * ```ts
 * expect(exchange.violations).toContainEqual(expect.objectContaining({ code: 'request-id-missing' }))
 * ```
 */
export interface MockPeerViolation {
  readonly code: MockPeerViolationCode
  readonly message: string
}

/**
 * A step of the credentials exchange, named by method and endpoint.
 *
 * @example
 * ```ts
 * const step: MockPeerStep = 'POST credentials'
 * ```
 */
export type MockPeerStep =
  | 'GET versions'
  | 'GET details'
  | 'GET credentials'
  | 'POST credentials'
  | 'PUT credentials'
  | 'DELETE credentials'

/**
 * A response as recorded.
 *
 * @example
 * ```ts
 * expect(exchange.response?.status).toBe(405)
 * ```
 */
export interface MockPeerRecordedResponse {
  readonly status: number
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** The parsed JSON body, the text if it is not JSON, `undefined` if empty. */
  readonly body: unknown
}

/**
 * One request the mock received (`inbound`) or made (`outbound`), with its answer.
 *
 * @example
 * ```ts
 * const post = peer.exchanges.find((e) => e.direction === 'inbound' && e.target === 'POST credentials')
 * expect(post?.headers.authorization).toMatch(/^Token /)
 * ```
 */
export interface MockPeerExchange {
  /** Increasing in the order the requests started. */
  readonly id: number
  readonly direction: 'inbound' | 'outbound'
  /** A {@link MockPeerStep}, `<METHOD> <module>` for a module (`GET tokens`), `<METHOD> unknown` for a 404. */
  readonly target: string
  /** The OCPI version of the endpoint, `null` for the versions endpoint and unknown paths. */
  readonly version: MockVersion | null
  readonly method: string
  readonly url: string
  /** Header names in lower case; the Authorization header included, as sent. */
  readonly headers: Readonly<Record<string, string>>
  /** The parsed JSON body, the text if it is not JSON, `undefined` if empty. */
  readonly body: unknown
  /**
   * The answer; `null` while pending and when no answer was produced (unreachable, aborted, timed out).
   * Under `lost-response` it is the answer that was produced and then lost (see `error`).
   */
  readonly response: MockPeerRecordedResponse | null
  /** Why there is no (usable) response: a fault, an abort, a timeout, a network error. */
  readonly error: string | null
  /** The fault mode that shaped this exchange, if any. */
  readonly fault: string | null
  readonly violations: readonly MockPeerViolation[]
}

/**
 * A violation with the exchange it was found in.
 *
 * @example
 * ```ts
 * expect(peer.violations).toEqual([])
 * ```
 */
export interface MockPeerFoundViolation extends MockPeerViolation {
  readonly exchangeId: number
  readonly direction: 'inbound' | 'outbound'
  readonly target: string
}

/**
 * The mock's view of its link with the platform under test.
 *
 * @example
 * ```ts
 * expect(peer.state).toMatchObject({ registered: true, version: '2.2.1' })
 * ```
 */
export interface MockPeerState {
  readonly registered: boolean
  /** The version of the link, or `null` when not registered. */
  readonly version: MockVersion | null
  /** The parties the platform under test presented in its Credentials (kept after an unregistration). */
  readonly sdkParties: readonly MockParty[]
  /** The versions URL of the platform under test (kept after an unregistration). */
  readonly sdkVersionsUrl: string | null
  /** The endpoints of the platform under test for the link's version (kept after an unregistration). */
  readonly sdkEndpoints: readonly MockEndpoint[]
  /** The token the platform under test must use towards the mock (issued by the mock). */
  readonly tokenForSdk: string | null
  /** The token the mock uses towards the platform under test (issued by it). */
  readonly tokenFromSdk: string | null
  /** The TOKEN_As from {@link MockPeer.invite} that are still unused. */
  readonly invitations: readonly string[]
}

/**
 * The Credentials the platform under test presented (in its POST or PUT, or in its answer to the mock's).
 *
 * @example
 * ```ts
 * expect(peer.registeredWith).toMatchObject({ parties: [{ party_id: 'EXA' }] })
 * ```
 */
export interface MockPeerRegistration {
  readonly version: MockVersion
  readonly url: string
  readonly parties: readonly MockParty[]
  readonly roles: readonly string[]
  readonly hubPartyId: string | null
  /** The Credentials object as received. */
  readonly credentials: unknown
}

/**
 * The outcome of one of the mock's own operations ({@link MockPeer.register}, `rotate`, `unregister`).
 * Refusals by the platform under test are results, not exceptions.
 *
 * @example
 * ```ts
 * const result = await peer.register({ versionsUrl, token })
 * expect(result).toMatchObject({ ok: false, status: 405 })
 * ```
 */
export interface MockPeerResult {
  /** HTTP 2xx, `status_code` 1000 and a valid answer; the mock's state was updated. */
  readonly ok: boolean
  /** The last step attempted. */
  readonly step: MockPeerStep
  /** The version used, when one was chosen. */
  readonly version: MockVersion | null
  /** The HTTP status of the last step; `null` on a network error or when nothing was sent. */
  readonly status: number | null
  /** The OCPI `status_code` of the last answer, if any. */
  readonly statusCode: number | null
  readonly statusMessage: string | null
  /** The parsed body of the last answer (the text if not JSON), `undefined` if none. */
  readonly body: unknown
  /** A network error, a timeout, a fault, or why the mock stopped before sending. */
  readonly error: string | null
}
