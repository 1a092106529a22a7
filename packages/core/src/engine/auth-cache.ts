import type { CredentialsStore, StoreChangeFeed } from '../store/types.js'
import type { AuthenticatedPeer } from './authenticate.js'

/** A cached authentication: the peer, until when it may be served, and the contact last recorded. */
export interface CachedAuthentication {
  readonly peer: AuthenticatedPeer
  readonly validUntil: number
  lastContactAt: number | null
}

/**
 * A per-process cache of successful authentications, keyed by the exact Authorization header value, so
 * the hot path of the host's modules is one map lookup. It is safe by construction:
 * - an entry lives at most `ttlMs` (1 s by default), and never past its token's expiry, which bounds how
 *   long a token revoked or rotated by another instance sharing the store keeps working here;
 * - every write to tokens or records through this process's store clears it, and an authentication
 *   that began before a write is not cached (a generation counter), so local changes apply at once;
 * - when the store has a change feed ({@link StoreChangeFeed}), every change committed by another
 *   instance clears it too, and while the feed is disconnected nothing is cached.
 *
 * @example
 * ```ts
 * const cache = new AuthCache(1_000, 10_000)
 * const store = cache.invalidating(memoryStore())
 * ```
 */
export class AuthCache {
  readonly #entries = new Map<string, CachedAuthentication>()
  #generation = 0
  /** True while a followed change feed is disconnected: changes may go unseen, so nothing is cached. */
  #blind = false

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  /** Incremented by every write; an authentication started under another generation is not cached. */
  get generation(): number {
    return this.#generation
  }

  get(header: string, now: number): CachedAuthentication | null {
    const entry = this.#entries.get(header)
    if (entry === undefined) return null
    if (entry.validUntil <= now) {
      this.#entries.delete(header)
      return null
    }
    return entry
  }

  set(header: string, entry: CachedAuthentication, generation: number): void {
    if (generation !== this.#generation || this.ttlMs <= 0 || this.#blind) return
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    this.#entries.set(header, entry)
  }

  clear(): void {
    this.#generation++
    this.#entries.clear()
  }

  /**
   * Follows a store's change feed: clears on every change, and caches nothing while it is disconnected.
   * Returns the unsubscribe function.
   */
  follow(feed: StoreChangeFeed): () => void {
    return feed.subscribe((change) => {
      if (change.type === 'disconnected') this.#blind = true
      else if (change.type === 'connected') this.#blind = false
      this.clear()
    })
  }

  /**
   * Wraps a store so that every operation that changes tokens or records clears the cache (before and
   * after it runs); reads and contact updates pass through untouched.
   */
  invalidating(store: CredentialsStore): CredentialsStore {
    const wrapWrite =
      <A extends unknown[], R>(method: (...args: A) => R) =>
      async (...args: A): Promise<Awaited<R>> => {
        this.clear()
        try {
          return await method.apply(store, args)
        } finally {
          this.clear()
        }
      }
    return {
      getPeer: (id) => store.getPeer(id),
      listPeers: (options) => store.listPeers(options),
      findToken: (digest) => store.findToken(digest),
      listTokens: (peerId) => store.listTokens(peerId),
      touchContact: (id, at) => store.touchContact(id, at),
      // Sealed successors play no part in authentication.
      replaceSuccessor: (args) => store.replaceSuccessor(args),
      // Leases play no part in authentication either.
      acquireLease: (args) => store.acquireLease(args),
      createPeer: wrapWrite(store.createPeer),
      casPeer: wrapWrite(store.casPeer),
      addToken: wrapWrite(store.addToken),
      consumeInvitation: wrapWrite(store.consumeInvitation),
      commitToken: wrapWrite(store.commitToken),
      abortToken: wrapWrite(store.abortToken),
      retireSuperseded: wrapWrite(store.retireSuperseded),
      revokeTokens: wrapWrite(store.revokeTokens),
      purgeExpiredTokens: wrapWrite(store.purgeExpiredTokens),
      ...(store.changes === undefined ? {} : { changes: store.changes }),
    }
  }
}
