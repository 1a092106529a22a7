import type { BusinessDetails, Endpoint } from './protocol/schemas.js'
import type { SupportedVersion } from './protocol/versions.js'

declare const inboundBrand: unique symbol
declare const outboundBrand: unique symbol
declare const sealedBrand: unique symbol
declare const digestBrand: unique symbol

/**
 * A token we issued and verify (TOKEN_A, or the token a peer uses to call us). Exists in plaintext only
 * transiently: at rest it is a {@link TokenDigest}. A distinct type from {@link OutboundToken}, so that
 * the most common OCPI bug (sending our own token outbound) does not compile.
 *
 * @example
 * ```ts
 * const token: InboundToken = generateToken()
 * ```
 */
export type InboundToken = string & { readonly [inboundBrand]: true }

/**
 * A token a peer issued to us and that we send when calling it. At rest it is a {@link SealedToken}.
 *
 * @example
 * ```ts
 * const outbound = credentials.token as OutboundToken
 * ```
 */
export type OutboundToken = string & { readonly [outboundBrand]: true }

/**
 * An outbound token encrypted at rest (compact JWE, `dir` + A256GCM, under the configured sealing keys).
 *
 * @example
 * ```ts
 * const sealed: SealedToken = await sealer.seal(outbound)
 * ```
 */
export type SealedToken = string & { readonly [sealedBrand]: true }

/**
 * The lowercase hex SHA-256 digest of an inbound token: the only form in which issued tokens are stored.
 *
 * @example
 * ```ts
 * const digest: TokenDigest = digestToken(token)
 * ```
 */
export type TokenDigest = string & { readonly [digestBrand]: true }

/**
 * Which party: a (country_code, party_id) pair. CiStrings: compare with {@link samePartyRef}.
 *
 * @example
 * ```ts
 * const ref: PartyRef = { country_code: 'NL', party_id: 'EXA' }
 * ```
 */
export interface PartyRef {
  readonly country_code: string
  readonly party_id: string
}

/**
 * A party an invitation expects; the role, when given, must match too (2.2+ links).
 *
 * @example
 * ```ts
 * const expected: ExpectedParty = { country_code: 'DE', party_id: 'ABC', role: 'EMSP' }
 * ```
 */
export interface ExpectedParty extends PartyRef {
  readonly role?: string
}

/**
 * A party of a peer platform as it presented itself. `role` is `null` on 2.1.1 links, whose credentials
 * carry no role.
 *
 * @example
 * ```ts
 * const party: Party = { role: 'EMSP', country_code: 'DE', party_id: 'MSP', business_details: { name: 'MSP' } }
 * ```
 */
export interface Party extends PartyRef {
  readonly role: string | null
  readonly business_details: BusinessDetails
}

/**
 * A 2.3.0 `hub_party_id` (country code + party id, concatenated) as the `HUB` party it names, so that an
 * invitation's expected parties and a re-invitation cover the hub identity as they cover parties.
 *
 * @example
 * ```ts
 * hubAsParty('NLHUB') // { country_code: 'NL', party_id: 'HUB', role: 'HUB' }
 * ```
 */
export function hubAsParty(hubPartyId: string): PartyRef & { readonly role: 'HUB' } {
  return { country_code: hubPartyId.slice(0, 2), party_id: hubPartyId.slice(2), role: 'HUB' }
}

/**
 * The case-insensitive key of a party reference, `CC/PID` upper-cased: equal keys are the same party
 * (see {@link samePartyRef}).
 *
 * @example
 * ```ts
 * partyKey({ country_code: 'nl', party_id: 'exa' }) // 'NL/EXA'
 * ```
 */
export function partyKey(ref: PartyRef): string {
  return `${ref.country_code.toUpperCase()}/${ref.party_id.toUpperCase()}`
}

/**
 * True when two party references name the same party (case-insensitive, as CiString requires).
 *
 * @example
 * ```ts
 * samePartyRef({ country_code: 'nl', party_id: 'exa' }, { country_code: 'NL', party_id: 'EXA' }) // true
 * ```
 */
export function samePartyRef(a: PartyRef, b: PartyRef): boolean {
  return (
    a.country_code.toUpperCase() === b.country_code.toUpperCase() &&
    a.party_id.toUpperCase() === b.party_id.toUpperCase()
  )
}

/**
 * How the Authorization header carries a token to a peer: the raw token (2.1.1, many 2.2 peers) or its
 * Base64 form (2.2.1+ as specified).
 *
 * @example
 * ```ts
 * const encoding: TokenEncoding = 'base64'
 * ```
 */
export type TokenEncoding = 'raw' | 'base64'

/**
 * What we know of an established link: the version spoken, the peer's versions URL and endpoints, its
 * parties (locked after registration), and the sealed token we send to it.
 *
 * @example
 * ```ts
 * if (peer.state === 'registered') console.log(peer.link.version, peer.link.endpoints.length)
 * ```
 */
export interface Link {
  readonly version: SupportedVersion
  readonly versionsUrl: string
  readonly endpoints: readonly Endpoint[]
  readonly parties: readonly Party[]
  /** 2.3.0 `hub_party_id`, when the peer gave one. */
  readonly hubPartyId: string | null
  readonly outbound: SealedToken
  /** The Authorization form that worked with this peer (set by the discovery probe). */
  readonly encoding: TokenEncoding
  /**
   * The one party of ours the peer knows, on a link that began on 2.1.1 (which carries one party and no
   * role): we go on presenting only that party when the link moves to 2.2+, since the peer's identity
   * lock would take our other parties for additions. Written by the link's first rotation or PUT (a
   * 2.1.1 link without it presents `as`, else our first party); absent on links that began on 2.2+.
   */
  readonly presentedAs?: PartyRef
}

/**
 * True when the link is with a hub: on 2.2.1 a party with role `HUB`; on 2.3.0 (which dropped that role)
 * a `hub_party_id`. A hub may add parties after registration, routes to parties behind it, and is the
 * only peer whose ClientInfo we accept.
 *
 * @example
 * ```ts
 * if (peer.state === 'registered' && isHubLink(peer.link)) console.log('connected through a hub')
 * ```
 */
export function isHubLink(link: Pick<Link, 'parties' | 'hubPartyId'>): boolean {
  return link.hubPartyId !== null || link.parties.some((p) => p.role === 'HUB')
}

/**
 * The states of a peer:
 * - `invited`: we issued a TOKEN_A and wait for the peer's POST;
 * - `registering`: we are registering with the peer (our outgoing POST);
 * - `registered`: the link is up, each side holds a token;
 * - `unregistered`: the link was ended (DELETE, a revocation of a link we did not invite, or a failed
 *   registration of ours); every token we issued for it is dead.
 *
 * @example
 * ```ts
 * const state: PeerState = 'registered'
 * ```
 */
export type PeerState = 'invited' | 'registering' | 'registered' | 'unregistered'

/**
 * How the peer record came to exist.
 *
 * @example
 * ```ts
 * const origin: PeerOrigin = 'invitation'
 * ```
 */
export type PeerOrigin = 'invitation' | 'registration' | 'import'

/**
 * Fields every peer record has, whatever its state. Times are milliseconds since the epoch.
 *
 * @example
 * ```ts
 * const idle = (peer: PeerCommon, now: number) => now - (peer.lastContactAt ?? peer.createdAt) > 86_400_000
 * ```
 */
export interface PeerCommon {
  /** Our identifier for the peer (never derived from a token). */
  readonly id: string
  /** Incremented by every compare-and-swap write; never by {@link CredentialsStore.touchContact}. */
  readonly revision: number
  readonly origin: PeerOrigin
  /** Parties the admin expects (from the invitation); a POST from anyone else is refused. */
  readonly expectedParties: readonly ExpectedParty[] | null
  /**
   * The origin (`https://partner.example.com`) the invitation's POST must come from: the POSTed versions
   * URL must have it, so our callback discovery asks the partner's own platform whether the token it was
   * given is real. Absent when the invitation is bound to no origin, and on records written by earlier
   * versions.
   */
  readonly expectedOrigin?: string
  /** Which of our parties represents us on a 2.1.1 link (`as` of the invitation or registration). */
  readonly as: PartyRef | null
  readonly createdAt: number
  readonly updatedAt: number
  /** The last authenticated request from the peer or successful call to it; `null` until the first. */
  readonly lastContactAt: number | null
}

/**
 * A peer we invited: it holds a TOKEN_A that expires at `invitationExpiresAt`.
 *
 * @example
 * ```ts
 * if (peer.state === 'invited') console.log(new Date(peer.invitationExpiresAt))
 * ```
 */
export interface InvitedPeer extends PeerCommon {
  readonly state: 'invited'
  readonly invitationExpiresAt: number
}

/**
 * A peer we are registering with (our own outgoing POST is under way).
 *
 * @example
 * ```ts
 * if (peer.state === 'registering') console.log(peer.versionsUrl)
 * ```
 */
export interface RegisteringPeer extends PeerCommon {
  readonly state: 'registering'
  readonly versionsUrl: string
  readonly version: SupportedVersion
}

/**
 * Marks a rotation we started. While our PUT is under way, concurrent rotations of the same peer are
 * refused; once its outcome is unknown (`outcome: 'unknown'`), the mark stays so that the rotation can
 * still be settled (by the health checks) while the pending token lives. A mark older than
 * `pendingTtlMs` is ignored, whatever it says (a crashed or an expired rotation). The pending token it
 * names is the one the commit promotes.
 *
 * @example
 * ```ts
 * if (peer.state === 'registered' && peer.rotation) console.log(new Date(peer.rotation.startedAt))
 * ```
 */
export interface RotationMark {
  /** The digest of our pending token, the one our PUT carried. */
  readonly digest: TokenDigest
  /** When the rotation started; the pending token expires `pendingTtlMs` later. */
  readonly startedAt: number
  /** The version the rotation moves to; absent on marks written by 0.1.0 (then: the link's version). */
  readonly version?: SupportedVersion
  /**
   * The Authorization form the host pinned for this rotation (`rotate`'s `encoding`), which settling it
   * keeps; absent: the link's form.
   */
  readonly encoding?: TokenEncoding
  /** Set once our PUT's outcome is unknown: the peer may hold our pending token. */
  readonly outcome?: 'unknown'
}

/**
 * A registered peer: the link is up.
 *
 * @example
 * ```ts
 * if (peer.state === 'registered') console.log(peer.link.parties)
 * ```
 */
export interface RegisteredPeer extends PeerCommon {
  readonly state: 'registered'
  readonly link: Link
  readonly registeredAt: number
  /** Our rotation under way, if any. */
  readonly rotation?: RotationMark
  /**
   * Set by the liveness probe when the peer stopped answering: the peer is OFFLINE until contact with it
   * is recorded after this time (see {@link connectionStatusOf}).
   */
  readonly offlineSince?: number
  /** What a hub peer told us of the parties reachable through it (HubClientInfo), by party. */
  readonly clientInfo?: readonly ClientInfoRecord[]
}

/**
 * A ClientInfo object a hub sent us (HubClientInfo receiver interface): the status of one party reachable
 * through the hub. `last_updated` in milliseconds since the epoch.
 *
 * @example
 * ```ts
 * const info: ClientInfoRecord = { country_code: 'DE', party_id: 'ABC', role: 'CPO', status: 'OFFLINE', last_updated: Date.now() }
 * ```
 */
export interface ClientInfoRecord extends PartyRef {
  readonly role: string
  readonly status: ConnectionStatus
  readonly last_updated: number
}

/**
 * A peer whose link was ended; the last link is kept for the record (its outbound token is dropped).
 *
 * @example
 * ```ts
 * if (peer.state === 'unregistered') console.log(new Date(peer.unregisteredAt))
 * ```
 */
export interface UnregisteredPeer extends PeerCommon {
  readonly state: 'unregistered'
  readonly link: Omit<Link, 'outbound'> | null
  readonly unregisteredAt: number
}

/**
 * A peer record, discriminated by `state`.
 *
 * @example
 * ```ts
 * switch (peer.state) { case 'registered': use(peer.link); break }
 * ```
 */
export type PeerRecord = InvitedPeer | RegisteringPeer | RegisteredPeer | UnregisteredPeer

/**
 * The HubClientInfo connection statuses.
 *
 * @example
 * ```ts
 * const status: ConnectionStatus = 'CONNECTED'
 * ```
 */
export type ConnectionStatus = 'CONNECTED' | 'OFFLINE' | 'PLANNED' | 'SUSPENDED'

/**
 * A peer's connection status: invited and registering → PLANNED, unregistered → SUSPENDED; registered →
 * OFFLINE when the liveness probe marked it so (`offlineSince`) and nothing was heard from it since,
 * CONNECTED otherwise. Contact (an authenticated request, a successful call) makes an OFFLINE peer
 * CONNECTED again at once, without a write of its own.
 *
 * @example
 * ```ts
 * connectionStatusOf(peer) // 'CONNECTED'
 * ```
 */
export function connectionStatusOf(peer: PeerRecord): ConnectionStatus {
  switch (peer.state) {
    case 'invited':
    case 'registering':
      return 'PLANNED'
    case 'registered':
      return peer.offlineSince !== undefined &&
        (peer.lastContactAt === null || peer.lastContactAt <= peer.offlineSince)
        ? 'OFFLINE'
        : 'CONNECTED'
    case 'unregistered':
      return 'SUSPENDED'
  }
}
