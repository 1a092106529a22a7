/**
 * The options of {@link createMockPeer} and the protocol shapes they are made of. The mock peer is written
 * independently of `@ocpi-credentials/core`: these types are its own.
 *
 * @module
 */

/**
 * An OCPI version the mock peer can speak.
 *
 * @example
 * ```ts
 * const versions: MockVersion[] = ['2.1.1', '2.2.1']
 * ```
 */
export type MockVersion = '2.1.1' | '2.2' | '2.2.1' | '2.3.0'

/**
 * A party role (`Role` in 2.2+). `HUB` does not exist in 2.3.0; `PTP` is used there without being listed.
 *
 * @example
 * ```ts
 * const role: MockPartyRole = 'EMSP'
 * ```
 */
export type MockPartyRole = 'CPO' | 'EMSP' | 'HUB' | 'NAP' | 'NSP' | 'OTHER' | 'SCSP' | 'PTP'

/**
 * The `InterfaceRole` of a module endpoint (2.2+): the side of the data flow it implements.
 *
 * @example
 * ```ts
 * const role: MockInterfaceRole = 'SENDER'
 * ```
 */
export type MockInterfaceRole = 'SENDER' | 'RECEIVER'

/**
 * How a token travels in the `Authorization: Token …` header.
 *
 * @example
 * ```ts
 * const encoding: MockTokenEncoding = 'base64'
 * ```
 */
export type MockTokenEncoding = 'raw' | 'base64'

/**
 * An OCPI `Image` (logo of a party).
 *
 * @example
 * ```ts
 * const logo: MockImage = { url: 'https://emsp.example.com/logo.png', category: 'OPERATOR', type: 'png' }
 * ```
 */
export interface MockImage {
  readonly url: string
  readonly thumbnail?: string
  readonly category: string
  readonly type: string
  readonly width?: number
  readonly height?: number
}

/**
 * An OCPI `BusinessDetails` object.
 *
 * @example
 * ```ts
 * const details: MockBusinessDetails = { name: 'Mock EMSP', website: 'https://emsp.example.com' }
 * ```
 */
export interface MockBusinessDetails {
  readonly name: string
  readonly website?: string
  readonly logo?: MockImage
}

/**
 * A party hosted by the mock platform, as given in {@link MockPeerOptions.parties}.
 *
 * @example
 * ```ts
 * const party: MockPartyInput = { role: 'CPO', country_code: 'NL', party_id: 'EXA' }
 * ```
 */
export interface MockPartyInput {
  readonly role: MockPartyRole
  readonly country_code: string
  readonly party_id: string
  /** Defaults to `{ name: 'Mock <role> <country_code>*<party_id>' }`. */
  readonly business_details?: MockBusinessDetails
}

/**
 * A party as presented in a Credentials object. `role` is `null` for 2.1.1 Credentials, which carry no
 * role; on 2.3.0 it may be a value the mock does not know (the `Role` list is open there).
 *
 * @example
 * ```ts
 * expect(peer.state.sdkParties).toEqual([expect.objectContaining<MockParty>({ party_id: 'EXA' })])
 * ```
 */
export interface MockParty {
  readonly role: string | null
  readonly country_code: string
  readonly party_id: string
  readonly business_details: MockBusinessDetails
}

/**
 * A module the mock platform exposes besides `credentials`.
 *
 * @example
 * ```ts
 * const endpoint: MockEndpointInput = { identifier: 'tokens', role: 'SENDER' }
 * ```
 */
export interface MockEndpointInput {
  /** The ModuleID, e.g. `tokens`. */
  readonly identifier: string
  readonly role: MockInterfaceRole
  /** The versions whose details list it; defaults to all of the mock's versions. */
  readonly versions?: readonly MockVersion[]
}

/**
 * An endpoint of a version details document. `role` is absent on 2.1.1.
 *
 * @example
 * ```ts
 * const endpoint: MockEndpoint = { identifier: 'credentials', role: 'SENDER', url: 'https://sdk.test/ocpi/2.2.1/credentials' }
 * ```
 */
export interface MockEndpoint {
  readonly identifier: string
  readonly role?: MockInterfaceRole
  readonly url: string
}

/**
 * A module the mock requires from the platform under test; a missing one is answered with 3003 during
 * registration and update. A string requires the identifier in any role.
 *
 * @example
 * ```ts
 * const requires: MockRequirement[] = ['tokens', { identifier: 'locations', role: 'SENDER' }]
 * ```
 */
export type MockRequirement = string | { readonly identifier: string; readonly role: MockInterfaceRole }

/**
 * How the mock peer reaches the platform under test: it is always called with a single `Request`, so
 * both `globalThis.fetch` and a web handler such as `ocpi.handle` fit.
 *
 * @example
 * ```ts
 * const viaHandler: MockPeerFetch = (request) => ocpi.handle(request)
 * ```
 */
export type MockPeerFetch = (request: Request) => Promise<Response>

/**
 * The options of {@link createMockPeer}. Only `baseUrl` is required.
 *
 * @example
 * ```ts
 * const options: MockPeerOptions = {
 *   baseUrl: 'https://emsp.example.com/ocpi',
 *   versions: ['2.1.1', '2.2.1'],
 *   parties: [{ role: 'EMSP', country_code: 'DE', party_id: 'MSP' }],
 *   fetch: (request) => ocpi.handle(request),
 * }
 * ```
 */
export interface MockPeerOptions {
  /**
   * Where the mock lives: versions at `${baseUrl}/versions`, details at `${baseUrl}/${version}`,
   * credentials at `${baseUrl}/${version}/credentials`, modules at `${baseUrl}/${version}/${module}`. An
   * absolute http(s) URL without query or fragment, taken as the URL parser writes it (lower-case host,
   * no default port) and without trailing slashes, as a fetch of it is sent: `https://EMSP.example.com:443/ocpi/`
   * is served, and named in `peer.versionsUrl`, as `https://emsp.example.com/ocpi`.
   */
  readonly baseUrl: string
  /** The versions the mock supports, listed in the order given. Default `['2.2.1']`. */
  readonly versions?: readonly MockVersion[]
  /**
   * The parties the mock hosts. Default: one `EMSP` `DE`/`MSP` named "Mock EMSP DE*MSP". A `HUB` party
   * with `2.3.0` among the versions is refused (`TypeError`): 2.3.0 has no HUB role (use `hubPartyId`).
   */
  readonly parties?: readonly MockPartyInput[]
  /**
   * The modules the mock exposes besides `credentials`. Default by the parties' roles: for an EMSP
   * tokens and commands as SENDER, locations, tariffs, sessions and cdrs as RECEIVER; for a CPO the mirror
   * image; nothing for other roles.
   */
  readonly endpoints?: readonly MockEndpointInput[]
  /** Modules the platform under test must offer (3003 otherwise). Default none; `credentials` always. */
  readonly requires?: readonly MockRequirement[]
  /** The `hub_party_id` the mock presents on 2.3.0 (e.g. `NLHUB`). Default: none. */
  readonly hubPartyId?: string
  /**
   * How the mock reaches the platform under test (its callback discovery and its own requests), and
   * where {@link MockPeer.fetch} delegates requests for other URLs. Default: `globalThis.fetch`, looked up
   * at call time (so msw's interception applies), with no delegation from `peer.fetch`.
   */
  readonly fetch?: MockPeerFetch
  /**
   * The encoding of the tokens the mock SENDS. With `accepts: 'both'` it is also the encoding it EXPECTS
   * (the other one is taken, and recorded as a `token-encoding` violation). `per-version`: raw on 2.1.1,
   * Base64 on 2.2+. Default: the form `accepts` names, else `per-version`.
   *
   * @example
   * ```ts
   * createMockPeer({ baseUrl, versions: ['2.2.1'], tokenEncoding: 'raw' }) // sends and expects raw tokens
   * ```
   */
  readonly tokenEncoding?: MockTokenEncoding | 'per-version'
  /**
   * Which encodings the mock ACCEPTS inbound; the other one gets 401 and a `token-encoding` violation
   * (withdrawn when the same request follows in the accepted form: a probe). One form makes that form the
   * only one expected, and the one the mock sends unless `tokenEncoding` says otherwise. Default `both`.
   *
   * @example
   * ```ts
   * createMockPeer({ baseUrl, versions: ['2.2.1'], accepts: 'raw' }) // a 2.2.1 peer taking raw tokens only
   * ```
   */
  readonly accepts?: MockTokenEncoding | 'both'
  /** The timeout of each of the mock's own requests, in milliseconds. Default 10 000. */
  readonly callbackTimeoutMs?: number
}
