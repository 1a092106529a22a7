import type {
  InvitedPeer,
  Link,
  PeerRecord,
  RegisteredPeer,
  RegisteringPeer,
  SealedToken,
  TokenDigest,
  TokenKind,
  TokenRecord,
  UnregisteredPeer,
} from '@ocpi-credentials/core'

/**
 * The suite's clock: a fixed instant, in milliseconds since the epoch.
 *
 * @example
 * ```ts
 * const now = T0 + MINUTE
 * ```
 */
export const T0 = 1_700_000_000_000
/** One minute in milliseconds. @example `T0 + MINUTE` */
export const MINUTE = 60_000
/** One hour in milliseconds. @example `T0 + HOUR` */
export const HOUR = 60 * MINUTE

let sequence = 0

/**
 * A fresh, valid digest (64 lowercase hex digits), unique within the process.
 *
 * @example
 * ```ts
 * const digest = newDigest()
 * ```
 */
export function newDigest(): TokenDigest {
  sequence++
  return `c0ffee${sequence.toString(16).padStart(58, '0')}` as TokenDigest
}

/**
 * A stand-in sealed token (the store never opens it).
 *
 * @example
 * ```ts
 * const successor = sealed('new current')
 * ```
 */
export function sealed(label: string): SealedToken {
  return `sealed.${label.replaceAll(' ', '-')}` as SealedToken
}

/**
 * A token record; expiring in an hour unless it is `current`.
 *
 * @example
 * ```ts
 * const pending = tokenOf('peer-a', 'pending-rotation', { expiresAt: T0 + MINUTE })
 * ```
 */
export function tokenOf(peerId: string, kind: TokenKind, changes: Partial<TokenRecord> = {}): TokenRecord {
  return {
    digest: newDigest(),
    peerId,
    kind,
    createdAt: T0,
    expiresAt: kind === 'current' ? null : T0 + HOUR,
    supersedes: null,
    successor: null,
    ...changes,
  }
}

/**
 * A link as stored on a registered peer, with nested values (endpoints, parties) worth copying.
 *
 * @example
 * ```ts
 * const link = sampleLink()
 * ```
 */
export function sampleLink(): Link {
  return {
    version: '2.2.1',
    versionsUrl: 'https://peer.example/ocpi/versions',
    endpoints: [
      { identifier: 'credentials', role: 'RECEIVER', url: 'https://peer.example/ocpi/2.2.1/credentials' },
      { identifier: 'locations', role: 'SENDER', url: 'https://peer.example/ocpi/2.2.1/locations' },
    ],
    parties: [{ role: 'CPO', country_code: 'NL', party_id: 'EXA', business_details: { name: 'Example' } }],
    hubPartyId: null,
    outbound: sealed('outbound'),
    encoding: 'base64',
  }
}

/**
 * A peer we invited, at revision 0.
 *
 * @example
 * ```ts
 * await store.createPeer(invitedPeer('peer-a'), [tokenOf('peer-a', 'invitation')])
 * ```
 */
export function invitedPeer(id: string, changes: Partial<InvitedPeer> = {}): InvitedPeer {
  return {
    id,
    revision: 0,
    origin: 'invitation',
    expectedParties: [{ country_code: 'NL', party_id: 'EXA' }],
    expectedOrigin: 'https://peer.example',
    as: { country_code: 'DE', party_id: 'OUR' },
    createdAt: T0,
    updatedAt: T0,
    lastContactAt: null,
    state: 'invited',
    invitationExpiresAt: T0 + 7 * 24 * HOUR,
    ...changes,
  }
}

/**
 * A peer we are registering with, at revision 0.
 *
 * @example
 * ```ts
 * await store.createPeer(registeringPeer('peer-a'), [tokenOf('peer-a', 'pending-registration')])
 * ```
 */
export function registeringPeer(id: string, changes: Partial<RegisteringPeer> = {}): RegisteringPeer {
  return {
    id,
    revision: 0,
    origin: 'registration',
    expectedParties: null,
    as: null,
    createdAt: T0,
    updatedAt: T0,
    lastContactAt: null,
    state: 'registering',
    versionsUrl: 'https://peer.example/ocpi/versions',
    version: '2.2.1',
    ...changes,
  }
}

/**
 * The registered form of a peer record (its common fields kept).
 *
 * @example
 * ```ts
 * const next = registeredFrom(invited, { updatedAt: T0 + MINUTE })
 * ```
 */
export function registeredFrom(peer: PeerRecord, changes: Partial<RegisteredPeer> = {}): RegisteredPeer {
  return {
    ...commonOf(peer),
    state: 'registered',
    link: sampleLink(),
    registeredAt: T0 + MINUTE,
    ...changes,
  }
}

/**
 * The unregistered form of a peer record (its common fields kept).
 *
 * @example
 * ```ts
 * const next = unregisteredFrom(registered, { updatedAt: T0 + HOUR })
 * ```
 */
export function unregisteredFrom(
  peer: PeerRecord,
  changes: Partial<UnregisteredPeer> = {},
): UnregisteredPeer {
  return {
    ...commonOf(peer),
    state: 'unregistered',
    link: null,
    unregisteredAt: T0 + HOUR,
    ...changes,
  }
}

/**
 * A registered peer (imported), at revision 0.
 *
 * @example
 * ```ts
 * await store.createPeer(registeredPeer('peer-a'), [tokenOf('peer-a', 'current')])
 * ```
 */
export function registeredPeer(id: string, changes: Partial<RegisteredPeer> = {}): RegisteredPeer {
  const { expectedOrigin: _none, ...imported } = invitedPeer(id, { origin: 'import', expectedParties: null })
  return registeredFrom(imported, changes)
}

function commonOf(peer: PeerRecord) {
  const { id, revision, origin, expectedParties, expectedOrigin, as, createdAt, updatedAt, lastContactAt } =
    peer
  return {
    id,
    revision,
    origin,
    expectedParties,
    ...(expectedOrigin === undefined ? {} : { expectedOrigin }),
    as,
    createdAt,
    updatedAt,
    lastContactAt,
  }
}

/**
 * Token records in digest order, for order-free comparisons.
 *
 * @example
 * ```ts
 * expect(byDigest(await raw.tokensOf('peer-a'))).toEqual(byDigest([current, previous]))
 * ```
 */
export function byDigest(tokens: readonly TokenRecord[]): TokenRecord[] {
  return [...tokens].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0))
}
