import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import { connectionStatusOf, type PeerRecord } from '../model.js'
import { checkJobOptions, eachPeer, type Job, startJob } from './periodic.js'
import { rotate } from './rotate.js'
import { rotationState } from './rotation-mark.js'

/**
 * Options of {@link Ocpi.rotateStale} and {@link Ocpi.startScheduledRotation}.
 *
 * @example
 * ```ts
 * const options: ScheduledRotationOptions = { maxAgeMs: 30 * 86_400_000 }
 * ```
 */
export interface ScheduledRotationOptions {
  /** A link whose current token is older than this is rotated. Default 30 days (the spec advises at least monthly). */
  readonly maxAgeMs?: number
  /**
   * This instance's id (a non-empty string), recorded in the rotation leases with a random part per pass;
   * default (also when undefined): random per SDK instance.
   */
  readonly instanceId?: string
}

/**
 * What one pass of the scheduled rotation did.
 *
 * @example
 * ```ts
 * const { rotated, failed } = await ocpi.rotateStale()
 * ```
 */
export interface ScheduledRotationReport {
  /** Peers rotated in this pass. */
  readonly rotated: readonly string[]
  /** Peers whose rotation failed, with the error code (rotation events carry the detail). */
  readonly failed: readonly { readonly peerId: string; readonly code: string }[]
}

const DEFAULT_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000

/**
 * One pass of the scheduled rotation: every CONNECTED registered peer whose current token (the one it
 * uses with us) is older than `maxAgeMs` is rotated with our PUT. With several instances, one rotation per
 * peer: a lease in the store (`rotate:<peer id>`, held for the pending-token lifetime) lets one pass (of
 * any instance) take the peer, and the age is checked again once the lease is held, so a peer rotated meanwhile by
 * another instance is left alone. A peer whose rotation is already under way is skipped.
 *
 * @example
 * ```ts
 * const report = await rotateStale(ctx, { maxAgeMs: 30 * 86_400_000, instanceId: 'i-1' })
 * ```
 */
export async function rotateStale(
  ctx: Context,
  options: ScheduledRotationOptions & { instanceId: string },
  stopping: () => boolean = () => false,
): Promise<ScheduledRotationReport> {
  checkJobOptions(options, { durations: ['maxAgeMs'], names: ['instanceId'] })
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS
  // A holder of this pass's own, as the health checks' leases: another pass on this instance (the job and
  // a `rotateStale()` call at once) does not take the peer too, and fail on the rotation under way.
  const holder = `${options.instanceId}:${crypto.randomUUID()}`
  const rotated: string[] = []
  const failed: { peerId: string; code: string }[] = []
  await eachPeer(
    ctx,
    'registered',
    async (listed) => {
      if (!(await isStale(ctx, listed, maxAgeMs))) return
      const now = ctx.now()
      const lease = {
        name: `rotate:${listed.id}`,
        holder,
        until: now + ctx.config.pendingTtlMs,
        now,
      }
      if (!(await ctx.store.acquireLease(lease))) return
      // Read again under the lease: another instance may have rotated it since the page was read.
      const fresh = await ctx.store.getPeer(listed.id)
      if (fresh === null || !(await isStale(ctx, fresh, maxAgeMs))) return
      try {
        await rotate(ctx, fresh.id)
        rotated.push(fresh.id)
      } catch (error) {
        failed.push({ peerId: fresh.id, code: error instanceof OcpiError ? error.code : 'ERR_UNEXPECTED' })
      }
    },
    stopping,
  )
  return { rotated, failed }
}

/**
 * Starts {@link rotateStale} every `intervalMs` (default 1 h) until `stop()`.
 *
 * @example
 * ```ts
 * const job = startScheduledRotation(ctx, { instanceId: 'i-1' })
 * ```
 */
export function startScheduledRotation(
  ctx: Context,
  options: ScheduledRotationOptions & { instanceId: string; intervalMs?: number },
): Job {
  checkJobOptions(options, { durations: ['maxAgeMs'], timers: ['intervalMs'], names: ['instanceId'] })
  return startJob(ctx, 'scheduled rotation', options.intervalMs ?? 60 * 60_000, (stopping) =>
    rotateStale(ctx, options, stopping),
  )
}

/** A registered, connected peer with no rotation under way whose current token is older than `maxAgeMs`. */
async function isStale(ctx: Context, peer: PeerRecord, maxAgeMs: number): Promise<boolean> {
  if (peer.state !== 'registered') return false
  // A rotation under way or awaiting settlement is left to finish; a stale mark means nothing.
  const rotation = rotationState(ctx, peer)
  if (rotation === 'under-way' || rotation === 'unsettled') return false
  if (connectionStatusOf(peer) !== 'CONNECTED') return false
  const tokens = await ctx.store.listTokens(peer.id)
  const current = tokens.filter((t) => t.kind === 'current').map((t) => t.createdAt)
  if (current.length === 0) return false
  return ctx.now() - Math.max(...current) >= maxAgeMs
}
