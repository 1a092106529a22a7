import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import { type Party, partyKey, type RegisteredPeer } from '../model.js'
import { isModern } from '../protocol/versions.js'
import { clientInfoOf, isLive } from '../server/client-info.js'
import { createPeerClient } from './client.js'
import { eachOf, eachPeer } from './periodic.js'

/**
 * How many platforms are pushed to at once (as many as the health checks look at by default): a platform
 * whose receiver does not answer holds its PUTs for their timeout, and holds up no other platform.
 */
const PUSH_CONCURRENCY = 8

/**
 * As a hub (`hubClientInfo.sender`), tells every other registered platform that offers a HubClientInfo
 * RECEIVER endpoint (2.2.1 and 2.3.0) the current ClientInfo of each party of `peerId`: one PUT per party
 * and platform, up to eight platforms at once (a platform that does not answer holds up no other), each
 * platform's PUTs in order. A platform that is not CONNECTED is skipped (the client refuses it); a failed
 * push is logged and not retried here (a platform in doubt pulls the list). Parties the peer stopped
 * presenting (`removed`) are pushed once more, SUSPENDED. A PLANNED or SUSPENDED status is not pushed for
 * a party that another of our links presents live. Returns how many PUTs succeeded.
 *
 * @example
 * ```ts
 * ocpi.on('registered', ({ peerId }) => void pushClientInfo(ctx, peerId))
 * ```
 */
export async function pushClientInfo(
  ctx: Context,
  peerId: string,
  removed: readonly Party[] = [],
): Promise<number> {
  const about = await ctx.store.getPeer(peerId)
  if (about === null) return 0
  const others: RegisteredPeer[] = []
  await eachPeer(ctx, 'registered', (peer) => {
    if (peer.id !== peerId && peer.state === 'registered') others.push(peer)
  })
  // A party live on another of our links (a platform that left and registered again, then its old record
  // was revoked) is not announced gone: the list reports it from its live link too.
  const live = new Set(others.flatMap((peer) => peer.link.parties.map(partyKey)))
  const targets = others.filter(
    (target) =>
      isModern(target.link.version) &&
      target.link.endpoints.some((e) => e.identifier === 'hubclientinfo' && e.role !== 'SENDER'),
  )
  let pushed = 0
  // Platforms at once, each one's PUTs in order (the parties gone first).
  await eachOf(
    targets,
    async (target) => {
      const infos = clientInfoOf(about, target.link.version, ctx.now(), removed).filter(
        (info) => isLive(info) || !live.has(partyKey(info)),
      )
      const client = createPeerClient(ctx, target.id)
      for (const info of infos) {
        try {
          const response = await client.request('hubclientinfo', 'RECEIVER', {
            method: 'PUT',
            path: `/${info.country_code}/${info.party_id}`,
            body: info,
          })
          if (response.status >= 200 && response.status < 300 && response.statusCode === 1000) pushed++
          else ctx.log.warn?.('ClientInfo push refused', { peerId: target.id, status: response.status })
        } catch (error) {
          ctx.log.warn?.('ClientInfo push failed', {
            peerId: target.id,
            code: error instanceof OcpiError ? error.code : 'ERR_UNEXPECTED',
          })
        }
      }
    },
    PUSH_CONCURRENCY,
  )
  return pushed
}
