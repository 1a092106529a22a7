import {
  type ConnectionStatus,
  connectionStatusOf,
  type ExpectedParty,
  type Party,
  type PeerRecord,
  type PeerState,
} from './model.js'
import type { Endpoint } from './protocol/schemas.js'
import type { SupportedVersion } from './protocol/versions.js'

/**
 * A peer as hosts and admins see it: never a token, sealed or not.
 *
 * @example
 * ```ts
 * const peer = await ocpi.getPeer(id)
 * if (peer?.state === 'registered') console.log(peer.version, peer.parties)
 * ```
 */
export interface Peer {
  readonly id: string
  readonly state: PeerState
  readonly version: SupportedVersion | null
  readonly versionsUrl: string | null
  readonly parties: readonly Party[]
  readonly endpoints: readonly Endpoint[]
  /** 2.3.0 `hub_party_id` of the peer, when it gave one. */
  readonly hubPartyId: string | null
  /**
   * The parties the invitation (or a revocation's re-invitation) expects the partner to present; `null`
   * for none, and for a link we registered with.
   */
  readonly expectedParties: readonly ExpectedParty[] | null
  /** The origin the invitation's registration must come from (`https://partner.example.com`), or `null`. */
  readonly expectedOrigin: string | null
  readonly connectionStatus: ConnectionStatus
  readonly lastContactAt: Date | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

/**
 * The public view of a stored peer record.
 *
 * @example
 * ```ts
 * const view = peerView(record)
 * ```
 */
export function peerView(record: PeerRecord): Peer {
  const link = record.state === 'registered' || record.state === 'unregistered' ? record.link : null
  return {
    id: record.id,
    state: record.state,
    version: link?.version ?? null,
    versionsUrl: link?.versionsUrl ?? (record.state === 'registering' ? record.versionsUrl : null),
    parties: link?.parties ?? [],
    endpoints: link?.endpoints ?? [],
    hubPartyId: link?.hubPartyId ?? null,
    expectedParties: record.expectedParties,
    expectedOrigin: record.expectedOrigin ?? null,
    connectionStatus: connectionStatusOf(record),
    lastContactAt: record.lastContactAt === null ? null : new Date(record.lastContactAt),
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  }
}
