import type { Context } from '../context.js'
import type { InboundToken, OutboundToken, PeerRecord, RegisteredPeer, SealedToken } from '../model.js'
import { eachPeer } from './periodic.js'
import { rotationState } from './rotation-mark.js'

/**
 * The result of {@link Ocpi.reseal}. Run it again while `busy` is not empty; a peer in `unreadable`
 * holds a value sealed under a key that is no longer configured (add the key back, or revoke the peer).
 *
 * @example
 * ```ts
 * const report = await ocpi.reseal()
 * if (report.busy.length === 0 && report.unreadable.length === 0) retireOldKey()
 * ```
 */
export interface ResealReport {
  /** Peer records whose outbound token was sealed again under the newest key. */
  readonly peers: number
  /** Token records whose sealed successor was sealed again under the newest key. */
  readonly tokens: number
  /** Peers skipped because a rotation or another write was under way: run `reseal` again. */
  readonly busy: readonly string[]
  /** Peers holding a value no configured key opens. */
  readonly unreadable: readonly string[]
}

/** Compare-and-swap attempts per peer before it is reported busy. */
const ATTEMPTS = 3

type Outcome = 'resealed' | 'current' | 'busy' | 'unreadable'

/**
 * Seals every sealed value in the store again under the newest sealing key (the first of
 * `sealingKeys`): the outbound token of each registered link, and the successor a `previous` token
 * keeps during a grace window. Idempotent and safe beside live traffic: each write is a
 * compare-and-swap, and a peer whose rotation is under way is left alone (reported `busy`) so that the
 * rotation's own commit is not made to fail. Once a run reports nothing busy or unreadable, no record
 * needs an older key any more, and that key can be removed from the configuration.
 *
 * @example
 * ```ts
 * const report = await reseal(ctx)
 * ```
 */
export async function reseal(ctx: Context): Promise<ResealReport> {
  let peers = 0
  let tokens = 0
  const busy: string[] = []
  const unreadable: string[] = []
  await eachPeer(ctx, undefined, async (record) => {
    const outcome = await resealPeer(ctx, record)
    if (outcome === 'resealed') peers++
    else if (outcome === 'busy') busy.push(record.id)
    const successors = await resealSuccessors(ctx, record.id)
    tokens += successors.resealed
    if (outcome === 'unreadable' || successors.unreadable) unreadable.push(record.id)
  })
  return { peers, tokens, busy, unreadable }
}

/** True when the value needs sealing again (sealed under another key than the newest). */
function stale(ctx: Context, sealed: SealedToken): boolean {
  return ctx.sealer.kidOf(sealed) !== ctx.sealer.currentKid
}

async function resealPeer(ctx: Context, first: PeerRecord): Promise<Outcome> {
  let record: PeerRecord | null = first
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (record === null || record.state !== 'registered' || !stale(ctx, record.link.outbound))
      return 'current'
    // Our PUT in flight commits against the record it marked: a write now could make it fail.
    if (rotationState(ctx, record) === 'under-way') return 'busy'
    let outbound: SealedToken
    try {
      outbound = await ctx.sealer.seal((await ctx.sealer.unseal(record.link.outbound)) as OutboundToken)
    } catch {
      return 'unreadable'
    }
    const next: RegisteredPeer = { ...record, link: { ...record.link, outbound }, updatedAt: ctx.now() }
    if ((await ctx.store.casPeer(record.id, record.revision, next)) !== null) return 'resealed'
    record = await ctx.store.getPeer(record.id)
  }
  return 'busy'
}

async function resealSuccessors(
  ctx: Context,
  peerId: string,
): Promise<{ resealed: number; unreadable: boolean }> {
  let resealed = 0
  let unreadable = false
  const now = ctx.now()
  for (const token of await ctx.store.listTokens(peerId)) {
    if (token.successor === null || !stale(ctx, token.successor)) continue
    // An expired token is dead (housekeeping purges it): its successor will never be opened again.
    if (token.expiresAt !== null && token.expiresAt <= now) continue
    let next: SealedToken
    try {
      // A successor is the peer's current inbound token, sealed for the grace window.
      next = await ctx.sealer.seal((await ctx.sealer.unseal(token.successor)) as InboundToken)
    } catch {
      unreadable = true
      continue
    }
    // A token rotated or retired meanwhile no longer holds `expected`: nothing to do for it.
    if (await ctx.store.replaceSuccessor({ digest: token.digest, expected: token.successor, next }))
      resealed++
  }
  return { resealed, unreadable }
}
