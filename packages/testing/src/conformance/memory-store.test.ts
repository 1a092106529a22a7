import { createMemoryBacking, memoryStore } from '@ocpi-credentials/core'
import { runStoreConformance } from '../index.js'

runStoreConformance({
  name: 'memoryStore',
  setup: async ({ interleave }) => {
    const backing = createMemoryBacking()
    return {
      store: memoryStore({ backing, interleave }),
      // A read path of its own: the maps, not the store's methods.
      raw: {
        peer: async (id) => backing.peers.get(id) ?? null,
        token: async (digest) => backing.tokens.get(digest) ?? null,
        tokensOf: async (peerId) => [...backing.tokens.values()].filter((token) => token.peerId === peerId),
      },
    }
  },
})
