import type { Context } from '../context.js'
import type { RegisteredPeer } from '../model.js'

/**
 * Where our own rotation of a peer stands at `now`:
 * - `'none'`: no mark;
 * - `'under-way'`: our PUT is in flight (a fresh mark without an outcome);
 * - `'unsettled'`: our PUT's outcome is unknown and our pending token still lives: the rotation can be
 *   settled by asking the peer;
 * - `'stale'`: the mark is older than the pending-token lifetime (an expired unknown outcome, or a process
 *   that died during its PUT): it no longer means anything and may be cleared.
 */
export type RotationState = 'none' | 'under-way' | 'unsettled' | 'stale'

/** The {@link RotationState} of `peer` now, pending tokens living `pendingTtlMs`. */
export function rotationState(ctx: Context, peer: RegisteredPeer): RotationState {
  const mark = peer.rotation
  if (mark === undefined) return 'none'
  if (ctx.now() - mark.startedAt >= ctx.config.pendingTtlMs) return 'stale'
  return mark.outcome === 'unknown' ? 'unsettled' : 'under-way'
}
