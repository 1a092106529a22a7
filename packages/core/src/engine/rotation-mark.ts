import type { Context } from '../context.js'
import type { RegisteredPeer } from '../model.js'

/**
 * Where our own rotation of a peer stands at `now`:
 * - `'none'`: no mark;
 * - `'under-way'`: our PUT is in flight (a mark without an outcome, younger than the rotation's budget);
 * - `'unsettled'`: our PUT's outcome is unknown and our pending token still lives: the rotation can be
 *   settled by asking the peer. Also a mark without an outcome that outlived the budget of a rotation's
 *   calls ({@link ABANDONED_AFTER_MARGIN_MS} past it): its process died, maybe after the peer took its PUT;
 * - `'stale'`: the mark is older than the pending-token lifetime (an expired unknown outcome, or a process
 *   that died during its PUT): it no longer means anything and may be cleared.
 */
export type RotationState = 'none' | 'under-way' | 'unsettled' | 'stale'

/**
 * How long past the budget of its calls a rotation may still be writing its outcome (sealing, the store's
 * compare-and-swaps with their waits) before its mark counts as left by a process that died.
 */
export const ABANDONED_AFTER_MARGIN_MS = 30_000

/** The {@link RotationState} of `peer` now, pending tokens living `pendingTtlMs`. */
export function rotationState(ctx: Context, peer: RegisteredPeer): RotationState {
  const mark = peer.rotation
  if (mark === undefined) return 'none'
  const age = ctx.now() - mark.startedAt
  if (age >= ctx.config.pendingTtlMs) return 'stale'
  if (mark.outcome === 'unknown') return 'unsettled'
  return age >= ctx.rotationBudgetMs + ABANDONED_AFTER_MARGIN_MS ? 'unsettled' : 'under-way'
}
