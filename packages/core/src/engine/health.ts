import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import {
  type ConnectionStatus,
  connectionStatusOf,
  type OutboundToken,
  type RegisteredPeer,
} from '../model.js'
import { buildRequest } from './outbound.js'
import { checkJobOptions, eachPeer, type Job, startJob } from './periodic.js'
import { settleRotation } from './rotate.js'
import { rotationState } from './rotation-mark.js'

/**
 * Options of {@link Ocpi.checkHealth} and {@link Ocpi.startHealthChecks}.
 *
 * @example
 * ```ts
 * const options: HealthCheckOptions = { silenceMs: 5 * 60_000, offlineRetryMs: 60_000 }
 * ```
 */
export interface HealthCheckOptions {
  /** A peer silent this long (no authenticated request, no successful call) is probed. Default 5 min. */
  readonly silenceMs?: number
  /** How often an OFFLINE peer is probed again (and the shortest time between probes). Default 1 min. */
  readonly offlineRetryMs?: number
  /**
   * This instance's id (a non-empty string), recorded in the probe leases with a random part per use;
   * default (also when undefined): random per SDK instance.
   */
  readonly instanceId?: string
  /**
   * How many peers are looked at (probed, settled) at once. A peer that does not answer holds its probe
   * for its GET timeouts and retries (about 30 s by default); the others go on meanwhile. Default 8.
   */
  readonly concurrency?: number
}

/**
 * What one health pass did, by peer id.
 *
 * @example
 * ```ts
 * const { offline } = await ocpi.checkHealth()
 * for (const id of offline) alertOps(id)
 * ```
 */
export interface HealthReport {
  /** Peers whose versions endpoint was probed. */
  readonly probed: readonly string[]
  /** Peers that went OFFLINE in this pass. */
  readonly offline: readonly string[]
  /** Peers that came back (CONNECTED) in this pass. */
  readonly online: readonly string[]
  /**
   * Peers whose rotation by us had an unknown outcome (`ERR_OCPI_OUTCOME_UNKNOWN`) and was settled in
   * this pass: the peer had taken our PUT, and the link is now on the new tokens.
   */
  readonly settled: readonly string[]
  /**
   * Peers whose rotation by us never settled (an unknown outcome, or a mark left by a process that stopped
   * during its PUT) and whose pending token expired: the mark was cleared in this pass (logged at warn). The
   * link works on its previous tokens if the peer never took our PUT, and needs a new registration if it
   * did.
   */
  readonly expired: readonly string[]
  /**
   * Peers that could not be probed for a failure of ours, with its error code: a token of the link that no
   * configured sealing key opens (a key dropped before {@link Ocpi.reseal} finished). Nothing was sent, the
   * peer's status is left as it was, and the failure is logged at error.
   */
  readonly failed: readonly { readonly peerId: string; readonly code: string }[]
}

const DEFAULT_SILENCE_MS = 5 * 60_000
const DEFAULT_CONCURRENCY = 8
const DEFAULT_OFFLINE_RETRY_MS = 60_000

/**
 * One pass of the still-alive check (the spec's hub duty, useful to every platform): each registered
 * peer silent for `silenceMs` gets a GET of its versions endpoint with our token (no side effects by the
 * spec). A failed probe marks it OFFLINE (`offlineSince`); a successful one, or any contact since, makes
 * it CONNECTED again. With several instances, a lease in the store (`probe:<peer id>`, held for
 * `offlineRetryMs`) lets one instance probe each peer. Each change emits `connection-status`.
 *
 * @example
 * ```ts
 * const report = await checkHealth(ctx, { silenceMs: 5 * 60_000 })
 * ```
 */
export async function checkHealth(
  ctx: Context,
  options: HealthCheckOptions & { instanceId: string },
  stopping: () => boolean = () => false,
): Promise<HealthReport> {
  checkHealthOptions(options)
  const silenceMs = options.silenceMs ?? DEFAULT_SILENCE_MS
  const retryMs = Math.min(options.offlineRetryMs ?? DEFAULT_OFFLINE_RETRY_MS, silenceMs)
  const probed: string[] = []
  const offline: string[] = []
  const online: string[] = []
  const settled: string[] = []
  const expired: string[] = []
  const failed: { peerId: string; code: string }[] = []
  await eachPeer(
    ctx,
    'registered',
    async (listed) => {
      let peer = listed
      if (peer.state !== 'registered') return
      const now = ctx.now()
      // A lease is a slot until `until`: a holder of its own per use, so that nobody (this instance
      // included) takes the same kind of slot for the peer again before then.
      const claim = (kind: 'settle' | 'probe') =>
        ctx.store.acquireLease({
          name: `${kind}:${peer.id}`,
          holder: `${options.instanceId}:${crypto.randomUUID()}`,
          until: now + retryMs,
          now,
        })
      const rotation = rotationState(ctx, peer)
      if (rotation === 'unsettled' || rotation === 'stale') {
        // Asked at most every `retryMs` per peer, across instances, while our pending token lives.
        const outcome = (await claim('settle')) ? await settleRotation(ctx, peer.id) : 'none'
        if (outcome === 'settled') {
          settled.push(peer.id)
          return // the record changed (and the peer answered): its status is looked at in the next pass
        }
        if (outcome === 'expired') {
          expired.push(peer.id)
          // The mark was cleared: go on with the record as it is now.
          const fresh = await ctx.store.getPeer(peer.id)
          if (fresh?.state !== 'registered') return
          peer = fresh
        }
      }
      const status = connectionStatusOf(peer)
      if (status === 'CONNECTED' && peer.offlineSince !== undefined) {
        // Heard from since it was marked: record it, so everyone sees it connected.
        if (await setOffline(ctx, peer, undefined)) online.push(peer.id)
        return
      }
      const heard = peer.lastContactAt ?? peer.registeredAt
      if (status === 'CONNECTED' && now - heard < silenceMs) return
      if (!(await claim('probe'))) return // probed by some instance within `retryMs`
      // A token we cannot open is our failure, not the peer's: nothing is sent, nothing is marked.
      const opened = await outboundToken(ctx, peer)
      if ('code' in opened) {
        failed.push({ peerId: peer.id, code: opened.code })
        const message = 'a peer could not be probed: our token for it could not be unsealed; its status stays'
        ctx.log.error?.(message, { peerId: peer.id, code: opened.code })
        return
      }
      probed.push(peer.id)
      // A failed probe (its retries can take half a minute) says the peer was silent since it began, not
      // since it ended: a peer that called us meanwhile is not marked, and the mark dates from the start.
      const startedAt = ctx.now()
      if (await probe(ctx, peer, opened.token)) {
        await ctx.store.touchContact(peer.id, ctx.now())
        if (status === 'OFFLINE' && (await setOffline(ctx, peer, undefined))) online.push(peer.id)
      } else if (status === 'CONNECTED') {
        const fresh = await ctx.store.getPeer(peer.id)
        if (fresh?.state !== 'registered' || (fresh.lastContactAt ?? 0) > startedAt) return
        if (await setOffline(ctx, fresh, startedAt)) offline.push(peer.id)
      }
    },
    stopping,
    options.concurrency ?? DEFAULT_CONCURRENCY,
  )
  return { probed, offline, online, settled, expired, failed }
}

/**
 * Starts {@link checkHealth} every `intervalMs` (default 30 s) until `stop()`. Timers are unref'd: they
 * never keep a process alive.
 *
 * @example
 * ```ts
 * const job = startHealthChecks(ctx, { instanceId: 'i-1', intervalMs: 30_000 })
 * await job.stop()
 * ```
 */
export function startHealthChecks(
  ctx: Context,
  options: HealthCheckOptions & { instanceId: string; intervalMs?: number },
): Job {
  checkHealthOptions(options)
  return startJob(ctx, 'health check', options.intervalMs ?? 30_000, (stopping) =>
    checkHealth(ctx, options, stopping),
  )
}

/**
 * Refuses health options that are not positive numbers (`concurrency`: a positive integer; `instanceId`: a
 * non-empty string).
 */
function checkHealthOptions(options: HealthCheckOptions & { intervalMs?: number }): void {
  checkJobOptions(options, {
    durations: ['silenceMs', 'offlineRetryMs'],
    timers: ['intervalMs'],
    integers: ['concurrency'],
    names: ['instanceId'],
  })
}

/** Our token for the peer, unsealed; the error's code when no configured key opens it. */
async function outboundToken(
  ctx: Context,
  peer: RegisteredPeer,
): Promise<{ readonly token: OutboundToken } | { readonly code: string }> {
  try {
    return { token: (await ctx.sealer.unseal(peer.link.outbound)) as OutboundToken }
  } catch (error) {
    return { code: error instanceof OcpiError ? error.code : 'ERR_OCPI_SEALING' }
  }
}

/** A GET of the peer's versions endpoint with our token: `true` on a 2xx answer. */
async function probe(ctx: Context, peer: RegisteredPeer, token: OutboundToken): Promise<boolean> {
  try {
    const response = await ctx.transport.send(
      buildRequest({
        method: 'GET',
        url: peer.link.versionsUrl,
        token,
        encoding: peer.link.encoding,
        version: peer.link.version,
        step: 'GET versions (still alive)',
      }),
    )
    return response.status >= 200 && response.status < 300
  } catch {
    return false
  }
}

/**
 * Marks the peer OFFLINE since `at`, or clears the mark (`undefined`); emits `connection-status` when the
 * write went through. A concurrent change of the record (a rotation, an update) wins: the next pass sees
 * the peer again.
 */
async function setOffline(ctx: Context, peer: RegisteredPeer, at: number | undefined): Promise<boolean> {
  // Our own PUT in flight commits against the record it marked: leave the record alone meanwhile.
  if (rotationState(ctx, peer) === 'under-way') return false
  const { offlineSince: _, ...rest } = peer
  const next: RegisteredPeer = at === undefined ? rest : { ...rest, offlineSince: at }
  const stored = await ctx.store.casPeer(peer.id, peer.revision, { ...next, updatedAt: ctx.now() })
  if (stored === null) return false
  if (at !== undefined && stored.state === 'registered' && connectionStatusOf(stored) === 'CONNECTED') {
    // A contact since `at` landed between our read and this write (it does not change the revision, and
    // the store kept it): the peer is heard from after all. Take the mark back; nothing was announced.
    const { offlineSince: _mark, ...unmarked } = stored
    await ctx.store.casPeer(peer.id, stored.revision, { ...unmarked, updatedAt: ctx.now() })
    return false
  }
  // As announced: a peer carrying the mark was reported OFFLINE, whatever contact came since.
  const previous: ConnectionStatus = peer.offlineSince === undefined ? 'CONNECTED' : 'OFFLINE'
  const status: ConnectionStatus = at === undefined ? 'CONNECTED' : 'OFFLINE'
  if (status !== previous) {
    ctx.events.emit('connection-status', { peerId: peer.id, status, previous })
    ctx.log.info?.(`peer ${status === 'OFFLINE' ? 'stopped answering' : 'answers again'}`, {
      peerId: peer.id,
      status,
    })
  }
  return true
}
