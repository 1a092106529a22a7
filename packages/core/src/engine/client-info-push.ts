import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import { isHubLink, type Party } from '../model.js'
import { isModern } from '../protocol/versions.js'
import { clientInfoOf } from '../server/client-info.js'
import { createPeerClient } from './client.js'
import { eachPeer } from './periodic.js'

/**
 * As a hub (`hubClientInfo.sender`), tells every other registered platform that offers a HubClientInfo
 * RECEIVER endpoint (2.2.1 and 2.3.0) the current ClientInfo of each party of `peerId`: one PUT per party
 * and platform. A platform that is not CONNECTED is skipped (the client refuses it); a failed push is
 * logged and not retried here (a platform in doubt pulls the list). Parties the peer stopped presenting
 * (`removed`) are pushed once more, SUSPENDED, unless the peer is a 2.2.1 hub (which lists only itself). Returns how many PUTs succeeded.
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
  // A 2.2.1 hub reports only itself (§2.8): the parties it no longer lists (after moving down from
  // 2.3.0, say) may well still be reachable through it, so they are not announced as gone.
  const link = about.state === 'registered' || about.state === 'unregistered' ? about.link : null
  const gone = link !== null && isHubLink(link) && link.version !== '2.3.0' ? [] : removed
  let pushed = 0
  await eachPeer(ctx, 'registered', async (target) => {
    if (target.id === peerId || target.state !== 'registered' || !isModern(target.link.version)) return
    if (!target.link.endpoints.some((e) => e.identifier === 'hubclientinfo' && e.role !== 'SENDER')) return
    const infos = clientInfoOf(about, target.link.version, gone)
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
  })
  return pushed
}
