// An SDK instance over a memory store wired to a mock peer without any network: each uses the other
// as its fetch. The wiring is the fault scenarios' (src/faults/scenario.ts); this adds the backing.
import { createMemoryBacking, memoryStore, type OcpiOptions } from '@ocpi-credentials/core'
import { wireSdkWithMockPeer } from '../src/faults/scenario.js'
import type { MockPeerOptions } from '../src/index.js'

export { PEER_BASE, SDK_BASE } from '../src/faults/scenario.js'

export function sdkWithMockPeer(
  options: { sdk?: Partial<OcpiOptions>; peer?: Partial<MockPeerOptions> } = {},
) {
  const backing = createMemoryBacking()
  const { ocpi, peer, lines } = wireSdkWithMockPeer(memoryStore({ backing }), options)
  const liveTokenKinds = () => [...backing.tokens.values()].map((t) => t.kind).sort()
  return { ocpi, peer, backing, lines, liveTokenKinds }
}
