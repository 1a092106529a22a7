import type { UnregisterOutcome } from '../engine/unregister.js'
import type { ConnectionStatus, PeerState } from '../model.js'
import type { Peer } from '../peer-view.js'
import type { SupportedVersion } from '../protocol/versions.js'

/**
 * A peer as the admin API shows it (snake_case JSON). Never a token, sealed or not. Times are ISO 8601
 * strings in UTC with milliseconds (`Date#toISOString`).
 *
 * @example
 * ```ts
 * const peer = (await response.json()) as AdminPeer
 * if (peer.state === 'registered') console.log(peer.version, peer.parties)
 * ```
 */
export interface AdminPeer {
  readonly id: string
  readonly state: PeerState
  /** The link's version; `null` until registered. */
  readonly version: SupportedVersion | null
  /** The peer's versions URL; `null` for an invitation nobody answered yet. */
  readonly versions_url: string | null
  readonly parties: readonly { role: string | null; country_code: string; party_id: string }[]
  /** The parties the invitation expects (`role` when it names one); `null` for none. */
  readonly expected_parties: readonly { country_code: string; party_id: string; role?: string }[] | null
  /** The origin the invitation's registration must come from; `null` for any. */
  readonly expected_origin: string | null
  readonly connection_status: ConnectionStatus
  /** `null` until the first contact. */
  readonly last_contact_at: string | null
  readonly created_at: string
  readonly updated_at: string
}

/**
 * The body of `GET …/peers`: one page of peers ordered by id, and the `after` value of the next page
 * (`null` on the last page).
 *
 * @example
 * ```ts
 * let page = (await (await fetch(`${admin}/peers?limit=500`)).json()) as AdminPeerList
 * while (page.next !== null) page = await (await fetch(`${admin}/peers?limit=500&after=${encodeURIComponent(page.next)}`)).json()
 * ```
 */
export interface AdminPeerList {
  readonly peers: readonly AdminPeer[]
  readonly next: string | null
}

/**
 * The body of `POST …/invitations` (201): the TOKEN_A and our versions URL to hand over offline.
 *
 * @example
 * ```ts
 * const { peer_id, token, versions_url, expires_at } = (await response.json()) as AdminInvitation
 * ```
 */
export interface AdminInvitation {
  readonly peer_id: string
  readonly token: string
  readonly versions_url: string
  readonly expires_at: string
  /** The origin the partner must register from (`expected_origin`, normalized), or `null` for any. */
  readonly expected_origin: string | null
}

/**
 * The body of `DELETE …/peers/:id` (200): the ended peer, plus what the peer said to our DELETE.
 *
 * @example
 * ```ts
 * const ended = (await response.json()) as AdminUnregistration
 * if (ended.remote === 'failed') console.warn('the peer did not confirm; our side is ended anyway')
 * ```
 */
export interface AdminUnregistration extends AdminPeer {
  readonly remote: UnregisterOutcome
}

/**
 * The body of `POST …/peers/:id/revocation` (200). `token`, `versions_url`, `expires_at` and
 * `expected_origin` are present only when the link began with our invitation: a fresh TOKEN_A for the
 * offline re-exchange, bound to `expected_origin` (the request's, else the invitation's, else the origin of
 * the peer's versions URL).
 *
 * @example
 * ```ts
 * const { peer, token } = (await response.json()) as AdminRevocation
 * if (token !== undefined) handOverOffline(token)
 * ```
 */
export interface AdminRevocation {
  readonly peer: AdminPeer
  readonly token?: string
  readonly versions_url?: string
  readonly expires_at?: string
  readonly expected_origin?: string | null
}

/**
 * Every error body of the admin API. `code` is an `OcpiErrorCode`, or `ERR_OCPI_INTERNAL` for a 500;
 * `step` names the failed outbound step when there is one. Never a token, never the request body.
 *
 * @example
 * ```ts
 * const error = (await response.json()) as AdminError
 * if (error.code === 'ERR_OCPI_WRONG_STATE') console.warn(error.message)
 * ```
 */
export interface AdminError {
  readonly code: string
  readonly message: string
  readonly step?: string
}

/**
 * The admin JSON of a peer: snake_case, parties without business details, ISO times, no token.
 *
 * @example
 * ```ts
 * const json = adminPeerJson(await ocpi.getPeer(id))
 * ```
 */
export function adminPeerJson(peer: Peer): AdminPeer {
  return {
    id: peer.id,
    state: peer.state,
    version: peer.version,
    versions_url: peer.versionsUrl,
    parties: peer.parties.map((p) => ({ role: p.role, country_code: p.country_code, party_id: p.party_id })),
    expected_parties:
      peer.expectedParties?.map((p) => ({
        country_code: p.country_code,
        party_id: p.party_id,
        ...(p.role === undefined ? {} : { role: p.role }),
      })) ?? null,
    expected_origin: peer.expectedOrigin,
    connection_status: peer.connectionStatus,
    last_contact_at: peer.lastContactAt === null ? null : peer.lastContactAt.toISOString(),
    created_at: peer.createdAt.toISOString(),
    updated_at: peer.updatedAt.toISOString(),
  }
}
