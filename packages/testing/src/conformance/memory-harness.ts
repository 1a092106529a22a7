import { createMemoryBacking, memoryStore } from '@ocpi-credentials/core'
import type { StoreHarness } from './harness.js'

/**
 * The memory store as a harness of the suites (conformance and fault scenarios), with a read path of
 * its own: the backing maps, not the store's methods. Used by this package's own tests.
 *
 * @example
 * ```ts
 * runStoreConformance(memoryHarness)
 * ```
 */
export const memoryHarness: StoreHarness = {
  name: 'memoryStore',
  setup: async ({ interleave }) => {
    const backing = createMemoryBacking()
    return {
      store: memoryStore({ backing, interleave }),
      raw: {
        peer: async (id) => backing.peers.get(id) ?? null,
        token: async (digest) => backing.tokens.get(digest) ?? null,
        tokensOf: async (peerId) => [...backing.tokens.values()].filter((token) => token.peerId === peerId),
      },
    }
  },
}
