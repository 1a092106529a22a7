import type { ResolvedConfig } from './config.js'
import type { AuthCache } from './engine/auth-cache.js'
import type { Batches } from './engine/batches.js'
import type { PartyAdditionPolicy, PartyRemovalPolicy } from './engine/identity-lock.js'
import type { EventBus, OcpiLogger } from './events.js'
import type { CredentialsStore } from './store/types.js'
import type { Sealer } from './tokens/sealing.js'
import type { Transport } from './transport/transport.js'
import type { UrlPolicy } from './transport/url-policy.js'

/** Everything the engine's effects need; built once by `createOcpi`. Internal. */
export interface Context {
  readonly config: ResolvedConfig
  readonly store: CredentialsStore
  readonly sealer: Sealer
  readonly transport: Transport
  /**
   * The transport of callback discovery (our GETs while a peer's POST or PUT waits for our answer): no
   * retries and a short total budget, so we answer well within the peer's own timeout.
   */
  readonly callbackTransport: Transport
  /**
   * How long the calls of one rotation we start may take, all of them together (the transport's `total`
   * timeout): a rotation mark still under way later than this (and a margin) was left by a process that
   * died, and is settled by asking the peer.
   */
  readonly rotationBudgetMs: number
  /**
   * How long after a first "our TOKEN_A still works" a registration whose POST the peer may still be at
   * work on asks again: see {@link lateCommitRecheckMs}.
   */
  readonly lateCommitRecheckMs: number
  readonly urlPolicy: UrlPolicy
  readonly events: EventBus
  readonly log: OcpiLogger
  readonly now: () => number
  readonly partyAdditionPolicy: PartyAdditionPolicy
  readonly partyRemovalPolicy: PartyRemovalPolicy
  readonly authCache: AuthCache
  /** Per-key batches of writes that would otherwise race each other on one record in this process. */
  readonly batches: Batches
}

/**
 * The wait before a registration asks a second time whether our TOKEN_A still works, after its POST ended
 * in a way that leaves the peer possibly still at work on it (our timeout, a dropped connection, a
 * gateway's 502/503/504) and the first answer was yes. A peer still at work past its callback discovery commits a moment later; "a moment" is scaled to
 * how long the host lets a POST take (a twentieth of it: the POST timeout, or the total timeout when that
 * is shorter), at most 2 s: a host giving peers 400 ms (tests) waits 20 ms, one giving them the default
 * 60 s waits 2 s. Internal.
 *
 * @example
 * ```ts
 * lateCommitRecheckMs(60_000) // 2000
 * ```
 */
export function lateCommitRecheckMs(postTimeoutMs: number): number {
  return Math.min(2_000, Math.ceil(postTimeoutMs / 20))
}
