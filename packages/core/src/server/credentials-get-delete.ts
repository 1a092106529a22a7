import type { Context } from '../context.js'
import { ownCredentialsBody } from '../engine/credentials-body.js'
import { CAS_ATTEMPTS, waitBeforeRetry } from '../engine/retry-wait.js'
import { OcpiError } from '../errors.js'
import type { InboundToken, PeerRecord, RegisteredPeer, UnregisteredPeer } from '../model.js'
import type { SupportedVersion } from '../protocol/versions.js'
import type { MatchedToken } from './inbound-token.js'

/**
 * Answers a credentials GET: our Credentials carrying the token of the request. A token in its grace
 * window after the peer's own PUT gets the current token instead, so a peer that lost our answer
 * recovers; after a rotation we started, the old token reads only itself.
 *
 * @example
 * ```ts
 * const data = await readCredentials(ctx, { version: '2.2.1', matched })
 * ```
 */
export async function readCredentials(
  ctx: Context,
  args: { version: SupportedVersion; matched: MatchedToken },
): Promise<Record<string, unknown>> {
  const { record } = args.matched
  const peer = await ctx.store.getPeer(record.peerId)
  if (peer === null) throw new OcpiError('ERR_OCPI_UNAUTHORIZED', 'unknown token')
  let token: InboundToken = args.matched.token
  if (record.kind === 'previous' && record.successor !== null) {
    token = (await ctx.sealer.unseal(record.successor)) as InboundToken
  }
  return ownCredentialsBody(ctx.config, args.version, token, peer)
}

/**
 * The record of a peer whose link ended: the link kept for the record, without the outbound token.
 *
 * @example
 * ```ts
 * const next = unregisteredRecord(peer, now)
 * ```
 */
export function unregisteredRecord(peer: RegisteredPeer, now: number): UnregisteredPeer {
  const { outbound: _dropped, ...link } = peer.link
  return {
    id: peer.id,
    revision: peer.revision + 1,
    origin: peer.origin,
    expectedParties: peer.expectedParties,
    ...(peer.expectedOrigin === undefined ? {} : { expectedOrigin: peer.expectedOrigin }),
    as: peer.as,
    createdAt: peer.createdAt,
    updatedAt: now,
    lastContactAt: peer.lastContactAt,
    state: 'unregistered',
    unregisteredAt: now,
    link,
  }
}

/**
 * Ends a link: every token of the peer dies and the record becomes `unregistered`, in one atomic store
 * step. Retries its compare-and-swap, with growing waits, when a concurrent write (a rotation, a hub's
 * ClientInfo batch) moved the revision.
 * Returns `null` when the peer is not registered (any more).
 *
 * @example
 * ```ts
 * const ended = await endLink(ctx, peerId)
 * ```
 */
export async function endLink(ctx: Context, peerId: string): Promise<PeerRecord | null> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    if (attempt > 0) await waitBeforeRetry(attempt - 1)
    const peer = await ctx.store.getPeer(peerId)
    if (peer === null || peer.state !== 'registered') return null
    const stored = await ctx.store.revokeTokens({
      peerId,
      revision: peer.revision,
      next: unregisteredRecord(peer, ctx.now()),
    })
    if (stored !== null) return stored
  }
  throw new OcpiError('ERR_OCPI_CONFLICT', 'the peer record kept changing; try again')
}

/**
 * Receives a credentials DELETE: the peer unregisters. 405 when the token does not belong to a
 * registered link (TOKEN_A, a pending registration).
 *
 * @example
 * ```ts
 * await receiveUnregistration(ctx, { matched })
 * ```
 */
export async function receiveUnregistration(ctx: Context, args: { matched: MatchedToken }): Promise<void> {
  const { record } = args.matched
  const ended = await endLink(ctx, record.peerId)
  if (ended === null) throw new OcpiError('ERR_OCPI_NOT_ALLOWED', 'not registered')
  ctx.events.emit('unregistered', { peerId: record.peerId, by: 'peer' })
  ctx.log.info?.('peer unregistered', { peerId: record.peerId, by: 'peer' })
}
