// Every fault mode of the mock peer at every step of register, rotate (both directions) and
// unregister, with the memory store: the published scenarios (src/faults), which every store runs.
import { createMemoryBacking, memoryStore } from '@ocpi-credentials/core'
import { runFaultScenarios } from '../src/index.js'

runFaultScenarios({
  name: 'memoryStore',
  setup: async ({ interleave }) => {
    const backing = createMemoryBacking()
    return {
      store: memoryStore({ backing, interleave }),
      raw: {
        peer: async (id) => backing.peers.get(id) ?? null,
        token: async (digest) => backing.tokens.get(digest) ?? null,
        tokensOf: async (peerId) => [...backing.tokens.values()].filter((t) => t.peerId === peerId),
      },
    }
  },
})
