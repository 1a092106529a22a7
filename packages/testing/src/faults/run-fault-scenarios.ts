import { describe } from 'vitest'
import { type StoreHarness, useHarness } from '../conformance/harness.js'
import { receiveFaultCases, receiveLostAnswerCases, registerFaultCases } from './registration-faults.js'
import { peerLostAnswerCases, peerRotateFaultCases, rotateFaultCases } from './rotation-faults.js'
import { unregisterFaultCases } from './unregister-faults.js'

/**
 * The SDK over the harness's store against a mock peer that fails at every step of register, rotate
 * (both directions) and unregister: every fault mode that applies there (unreachable, HTTP 500, slow,
 * invalid JSON, missing endpoints, a lost answer). After each: no record is left half-written, the
 * tokens that worked before still work, no token is left alive that should not be, the error names the
 * step, and the documented remedy completes. Stored tokens are read through the harness's raw view.
 *
 * Where the conformance suite ({@link runStoreConformance}) tests each store operation on its own, this
 * runs the SDK's whole flows over the store when a peer fails half-way; a store passes both. It takes
 * the same harness. Call it at the top level of a Vitest test file; `setup` runs before every case.
 * Outbound timeouts are short (200 ms for a GET, 400 ms for a POST or PUT), so a store must answer well
 * within them.
 *
 * @example
 * ```ts
 * // faults.test.ts
 * import { createMemoryBacking, memoryStore } from '@ocpi-credentials/core'
 * import { runFaultScenarios } from '@ocpi-credentials/testing'
 *
 * runFaultScenarios({
 *   name: 'memoryStore',
 *   setup: async ({ interleave }) => {
 *     const backing = createMemoryBacking()
 *     return {
 *       store: memoryStore({ backing, interleave }),
 *       raw: {
 *         peer: async (id) => backing.peers.get(id) ?? null,
 *         token: async (digest) => backing.tokens.get(digest) ?? null,
 *         tokensOf: async (peerId) => [...backing.tokens.values()].filter((t) => t.peerId === peerId),
 *       },
 *     }
 *   },
 * })
 * ```
 */
export function runFaultScenarios(harness: StoreHarness): void {
  describe(`fault scenarios: ${harness.name}`, () => {
    const use = useHarness(harness)
    describe('the SDK registering with a failing peer', () => registerFaultCases(use))
    describe('the SDK receiving a registration from a failing peer', () => {
      receiveFaultCases(use)
      receiveLostAnswerCases(use)
    })
    describe('the SDK rotating with a failing peer', () => rotateFaultCases(use))
    describe('a failing peer rotating with the SDK', () => {
      peerRotateFaultCases(use)
      peerLostAnswerCases(use)
    })
    describe('unregistering with a failing peer', () => unregisterFaultCases(use))
  })
}
