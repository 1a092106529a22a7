import type { CredentialsStore, PeerRecord, TokenDigest, TokenRecord } from '@ocpi-credentials/core'
import { afterEach, beforeEach } from 'vitest'

/**
 * A read path into a store's backing storage that does not go through the store's own methods: the
 * conformance suite checks every write through it. For the memory store, reads of the `MemoryBacking`
 * maps; for a SQL store, plain `SELECT`s.
 *
 * @example
 * ```ts
 * const raw: RawStoreView = {
 *   peer: async (id) => backing.peers.get(id) ?? null,
 *   token: async (digest) => backing.tokens.get(digest) ?? null,
 *   tokensOf: async (peerId) => [...backing.tokens.values()].filter((t) => t.peerId === peerId),
 * }
 * ```
 */
export interface RawStoreView {
  /** The stored peer record, or `null`. */
  peer(id: string): Promise<PeerRecord | null>
  /** The stored token record, or `null`. */
  token(digest: TokenDigest): Promise<TokenRecord | null>
  /** Every stored token record of the peer, in any order. */
  tokensOf(peerId: string): Promise<TokenRecord[]>
}

/**
 * What the suite hands to {@link StoreHarness.setup}.
 *
 * @example
 * ```ts
 * setup: async ({ interleave }) => ({ store: memoryStore({ interleave }), raw })
 * ```
 */
export interface StoreHarnessContext {
  /**
   * Yields to the event loop, for one to a few turns. A store that can, awaits it between every read and write of its backing
   * storage (the memory store does), so that atomicity is tested against real interleaving. A store over
   * a database may ignore it: concurrency comes from the database there.
   */
  readonly interleave: () => Promise<void>
}

/**
 * A store under test, as {@link StoreHarness.setup} returns it.
 *
 * @example
 * ```ts
 * const instance: StoreHarnessInstance = { store, raw, teardown: () => pool.end() }
 * ```
 */
export interface StoreHarnessInstance {
  readonly store: CredentialsStore
  readonly raw: RawStoreView
  /** Called after each case. */
  readonly teardown?: () => Promise<void>
}

/**
 * How the conformance suite gets a store: `setup` runs before every case and must return a store over
 * empty storage, with a {@link RawStoreView} of that same storage.
 *
 * @example
 * ```ts
 * const harness: StoreHarness = {
 *   name: 'memoryStore',
 *   setup: async ({ interleave }) => {
 *     const backing = createMemoryBacking()
 *     return { store: memoryStore({ backing, interleave }), raw: rawViewOf(backing) }
 *   },
 * }
 * runStoreConformance(harness)
 * ```
 */
export interface StoreHarness {
  /** Names the suite's top-level `describe`. */
  readonly name: string
  /** Returns a fresh store over empty storage, with a raw view of it; runs before every case. */
  setup(context: StoreHarnessContext): Promise<StoreHarnessInstance>
}

/**
 * The store and raw view of the running case.
 *
 * @example
 * ```ts
 * it('…', async () => { const { store, raw } = use() })
 * ```
 */
export type UseStore = () => StoreHarnessInstance

/**
 * Yields to the event loop (a macrotask turn), letting every other pending operation advance a step.
 *
 * @example
 * ```ts
 * memoryStore({ interleave: yieldToEventLoop })
 * ```
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve)
    else setTimeout(resolve, 0)
  })
}

/**
 * An `interleave` hook: each call yields one to three event-loop turns, the count drawn from a seeded
 * generator. Varying the pace breaks the lockstep in which parallel operations would otherwise advance,
 * so that a reader can land between two writes of another operation; the seed keeps runs repeatable.
 *
 * @example
 * ```ts
 * memoryStore({ interleave: createInterleave(1) })
 * ```
 */
export function createInterleave(seed: number): () => Promise<void> {
  let state = seed >>> 0
  return async () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    const turns = 1 + (((t ^ (t >>> 14)) >>> 0) % 3)
    for (let turn = 0; turn < turns; turn++) await yieldToEventLoop()
  }
}

/**
 * Sets up a fresh store before each case of the enclosing `describe`, and tears it down after.
 *
 * @example
 * ```ts
 * describe('peers', () => { const use = useHarness(harness); it('…', async () => use().store) })
 * ```
 */
export function useHarness(harness: StoreHarness): UseStore {
  let instance: StoreHarnessInstance | undefined
  beforeEach(async () => {
    instance = await harness.setup({ interleave: createInterleave(0x0c91) })
  })
  afterEach(async () => {
    const done = instance
    instance = undefined
    await done?.teardown?.()
  })
  return () => {
    if (instance === undefined) throw new Error('the store is only available inside a test case')
    return instance
  }
}
