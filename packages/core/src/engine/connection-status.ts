import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import {
  type ConnectionStatus,
  connectionStatusOf,
  type PartyRef,
  type PeerRecord,
  samePartyRef,
} from '../model.js'

/**
 * The status to respect before sending to a peer, or to one party through it: the peer's own status by
 * our tracking when it is not CONNECTED; otherwise, for a party a hub peer told us about (HubClientInfo),
 * the status the hub gave; otherwise CONNECTED. Pure.
 *
 * @example
 * ```ts
 * statusFor(peer, { country_code: 'DE', party_id: 'ABC' }) // 'OFFLINE' when the hub said so
 * ```
 */
export function statusFor(peer: PeerRecord, party?: PartyRef): ConnectionStatus {
  const own = connectionStatusOf(peer)
  if (own !== 'CONNECTED' || party === undefined || peer.state !== 'registered') return own
  return peer.clientInfo?.find((info) => samePartyRef(info, party))?.status ?? own
}

/**
 * {@link Ocpi.connectionStatus}: a peer's status, or a party's through it.
 *
 * @example
 * ```ts
 * await connectionStatus(ctx, peerId) // 'CONNECTED'
 * ```
 */
export async function connectionStatus(
  ctx: Context,
  peerId: string,
  party?: PartyRef,
): Promise<ConnectionStatus> {
  const peer = await ctx.store.getPeer(peerId)
  if (peer === null) throw new OcpiError('ERR_OCPI_UNKNOWN_PEER', `no peer ${peerId}`)
  return statusFor(peer, party)
}
