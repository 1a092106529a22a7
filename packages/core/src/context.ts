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
