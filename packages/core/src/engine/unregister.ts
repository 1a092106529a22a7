import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import type { OutboundToken } from '../model.js'
import { type Peer, peerView } from '../peer-view.js'
import { endLink } from '../server/credentials-get-delete.js'
import { sendCredentials } from './peer-calls.js'

/**
 * What the peer said to our DELETE: `confirmed` (success), `not-registered` (405, or 401 from peers that
 * answer so where 405 is due), or `failed` (unreachable, refused: our side is ended all the same).
 *
 * @example
 * ```ts
 * const { remote } = await ocpi.unregister(peerId)
 * if (remote === 'failed') alertAdmin()
 * ```
 */
export type UnregisterOutcome = 'confirmed' | 'not-registered' | 'failed'

const REMOTE_SAYS: Readonly<Record<UnregisterOutcome, string>> = {
  confirmed: 'the peer confirmed it',
  'not-registered': 'the peer no longer knew us',
  failed: 'the peer did not confirm it',
}

/**
 * Ends a link from our side: sends DELETE to the peer's credentials endpoint, then kills every token of
 * the peer at once, whatever the peer answered (the intent is to stop; a peer that did not hear it gets
 * 401 from now on).
 *
 * @example
 * ```ts
 * const { peer, remote } = await unregister(ctx, peerId)
 * ```
 */
export async function unregister(
  ctx: Context,
  peerId: string,
): Promise<{ peer: Peer; remote: UnregisterOutcome }> {
  const peer = await ctx.store.getPeer(peerId)
  if (peer === null) throw new OcpiError('ERR_OCPI_UNKNOWN_PEER', `no peer ${peerId}`)
  if (peer.state !== 'registered') {
    throw new OcpiError('ERR_OCPI_WRONG_STATE', `peer ${peerId} is ${peer.state}, not registered`)
  }
  let remote: UnregisterOutcome
  const url = peer.link.endpoints.find((e) => e.identifier === 'credentials')?.url
  try {
    if (url === undefined)
      throw new OcpiError('ERR_OCPI_MISSING_ENDPOINTS', 'the peer has no credentials endpoint')
    const sent = await sendCredentials(ctx, {
      method: 'DELETE',
      url,
      token: (await ctx.sealer.unseal(peer.link.outbound)) as OutboundToken,
      encoding: peer.link.encoding,
      version: peer.link.version,
    })
    remote = sent.status === 405 || sent.status === 401 ? 'not-registered' : 'confirmed'
  } catch (error) {
    remote = 'failed'
    ctx.log.warn?.('the peer did not confirm our DELETE; ending our side anyway', {
      peerId,
      code: error instanceof OcpiError ? error.code : 'unknown',
    })
  }
  const ended = await endLink(ctx, peerId)
  if (ended === null) {
    // Ended meanwhile by another call (a revocation, another unregister). Our DELETE went out all the
    // same: say what the peer made of it, lest the link be thought alive on its side.
    throw new OcpiError(
      'ERR_OCPI_WRONG_STATE',
      `peer ${peerId} was ended meanwhile by another call; our DELETE was sent too (${REMOTE_SAYS[remote]})`,
    )
  }
  ctx.events.emit('unregistered', { peerId, by: 'us' })
  return { peer: peerView(ended), remote }
}
