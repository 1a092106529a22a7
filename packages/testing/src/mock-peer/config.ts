import type {
  MockBusinessDetails,
  MockEndpointInput,
  MockInterfaceRole,
  MockPartyInput,
  MockPartyRole,
  MockPeerFetch,
  MockPeerOptions,
  MockTokenEncoding,
  MockVersion,
} from './options.js'
import { isMockVersion } from './protocol.js'

/**
 * A party of the mock, with its business details filled in.
 *
 * @example
 * ```ts
 * const party: OwnParty = { role: 'EMSP', country_code: 'DE', party_id: 'MSP', business_details: { name: 'Mock EMSP' } }
 * ```
 */
export interface OwnParty {
  readonly role: MockPartyRole
  readonly country_code: string
  readonly party_id: string
  readonly business_details: MockBusinessDetails
}

/**
 * A module of the mock: where it lives (`segment` after the version) and in which versions.
 *
 * @example
 * ```ts
 * const tokens: OwnEndpoint = { identifier: 'tokens', role: 'SENDER', versions: ['2.2.1'], segment: 'tokens' }
 * ```
 */
export interface OwnEndpoint {
  readonly identifier: string
  readonly role: MockInterfaceRole
  readonly versions: readonly MockVersion[]
  readonly segment: string
}

/**
 * The options of the mock with every default applied.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ baseUrl: 'https://emsp.example.com/ocpi' })
 * config.versionsUrl // 'https://emsp.example.com/ocpi/versions'
 * ```
 */
export interface ResolvedConfig {
  readonly baseUrl: string
  readonly versionsUrl: string
  readonly versions: readonly MockVersion[]
  readonly parties: readonly OwnParty[]
  readonly endpoints: readonly OwnEndpoint[]
  readonly requires: readonly { readonly identifier: string; readonly role: MockInterfaceRole | null }[]
  readonly hubPartyId: string | null
  /** How the mock reaches the platform under test. */
  readonly fetch: MockPeerFetch
  /** Where `peer.fetch` sends requests for other URLs: `options.fetch` when given, else nowhere. */
  readonly delegate: MockPeerFetch | null
  readonly tokenEncoding: MockTokenEncoding | 'per-version'
  readonly accepts: MockTokenEncoding | 'both'
  readonly callbackTimeoutMs: number
}

const DEFAULT_MODULES: Partial<Record<MockPartyRole, readonly MockEndpointInput[]>> = {
  EMSP: [
    { identifier: 'tokens', role: 'SENDER' },
    { identifier: 'commands', role: 'SENDER' },
    { identifier: 'locations', role: 'RECEIVER' },
    { identifier: 'tariffs', role: 'RECEIVER' },
    { identifier: 'sessions', role: 'RECEIVER' },
    { identifier: 'cdrs', role: 'RECEIVER' },
  ],
  CPO: [
    { identifier: 'locations', role: 'SENDER' },
    { identifier: 'tariffs', role: 'SENDER' },
    { identifier: 'sessions', role: 'SENDER' },
    { identifier: 'cdrs', role: 'SENDER' },
    { identifier: 'tokens', role: 'RECEIVER' },
    { identifier: 'commands', role: 'RECEIVER' },
  ],
}

/**
 * Applies the defaults of {@link MockPeerOptions} and checks the options; throws a `TypeError` on
 * options the mock cannot honour (an unknown version, a duplicate, an empty party list, a `HUB` party on
 * 2.3.0).
 *
 * @example
 * ```ts
 * resolveConfig({ baseUrl: 'https://cpo.example.com/ocpi', parties: [{ role: 'CPO', country_code: 'NL', party_id: 'EXA' }] })
 * ```
 */
export function resolveConfig(options: MockPeerOptions): ResolvedConfig {
  const baseUrl = canonicalBaseUrl(options.baseUrl)
  const versions = options.versions ?? ['2.2.1']
  if (versions.length === 0) throw new TypeError('versions must list at least one version')
  for (const version of versions)
    if (!isMockVersion(version)) throw new TypeError(`unsupported version: ${String(version)}`)
  if (new Set(versions).size !== versions.length) throw new TypeError('versions must not repeat')
  const parties = (options.parties ?? [{ role: 'EMSP', country_code: 'DE', party_id: 'MSP' }]).map(fillParty)
  if (parties.length === 0) throw new TypeError('parties must list at least one party')
  // Reference §2.8: 2.3.0 removed HUB from the Role enum (a hub names itself in hub_party_id instead).
  if (versions.includes('2.3.0') && parties.some((party) => party.role === 'HUB'))
    throw new TypeError(
      '2.3.0 has no HUB role: drop 2.3.0 from versions, or list the parties the hub reaches and set hubPartyId',
    )
  const inputs = options.endpoints ?? parties.flatMap((party) => DEFAULT_MODULES[party.role] ?? [])
  const accepts = options.accepts ?? 'both'
  return {
    baseUrl,
    versionsUrl: `${baseUrl}/versions`,
    versions,
    parties,
    endpoints: placeEndpoints(inputs, versions),
    requires: (options.requires ?? []).map((r) =>
      typeof r === 'string' ? { identifier: r, role: null } : { identifier: r.identifier, role: r.role },
    ),
    hubPartyId: options.hubPartyId ?? null,
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
    delegate: options.fetch ?? null,
    // A peer that takes one form only sends that form too, unless told otherwise.
    tokenEncoding: options.tokenEncoding ?? (accepts === 'both' ? 'per-version' : accepts),
    accepts,
    callbackTimeoutMs: options.callbackTimeoutMs ?? 10_000,
  }
}

/**
 * The base URL as the WHATWG URL parser writes it (lower-case host, no default port, dot segments
 * resolved), without trailing slashes: what a fetch of any URL under it goes to, and so what the mock
 * compares request URLs with and builds its own URLs from.
 */
function canonicalBaseUrl(given: string): string {
  if (typeof given !== 'string' || !URL.canParse(given))
    throw new TypeError(`baseUrl is not an absolute URL: ${String(given)}`)
  const url = new URL(given)
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(`baseUrl must be an http(s) URL: ${given}`)
  if (given.includes('?') || given.includes('#'))
    throw new TypeError(`baseUrl must have no query nor fragment: ${given}`)
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
}

function fillParty(party: MockPartyInput): OwnParty {
  return {
    role: party.role,
    country_code: party.country_code,
    party_id: party.party_id,
    business_details: party.business_details ?? {
      name: `Mock ${party.role} ${party.country_code}*${party.party_id}`,
    },
  }
}

function placeEndpoints(
  inputs: readonly MockEndpointInput[],
  versions: readonly MockVersion[],
): OwnEndpoint[] {
  const unique = inputs.filter(
    (input, index) =>
      inputs.findIndex((o) => o.identifier === input.identifier && o.role === input.role) === index,
  )
  return unique.map((input) => {
    if (input.identifier === 'credentials')
      throw new TypeError('credentials is always exposed; do not list it')
    const shared = unique.some((o) => o.identifier === input.identifier && o.role !== input.role)
    return {
      identifier: input.identifier,
      role: input.role,
      versions: (input.versions ?? versions).filter((v) => versions.includes(v)),
      segment: shared ? `${input.identifier}-${input.role.toLowerCase()}` : input.identifier,
    }
  })
}
