import { describe } from 'vitest'
import { casAndContactCases } from './cas-and-contact.js'
import { changeFeedCases } from './change-feed.js'
import { commitCases } from './commit.js'
import { concurrencyCases } from './concurrency.js'
import type { StoreHarness } from './harness.js'
import { useHarness } from './harness.js'
import { invitationCases } from './invitation.js'
import { leaseCases } from './lease.js'
import { peerCases } from './peers.js'
import { retireCases } from './retire.js'
import { revokeCases } from './revoke.js'
import { successorCases } from './successor.js'
import { tokenCases } from './tokens.js'

/**
 * The conformance suite every `CredentialsStore` must pass: each operation, its failure answers (which
 * write nothing), expiry boundaries, the grace rule, and races in which exactly one of many parallel
 * attempts wins. Every write is checked through the harness's raw view, never through the store's own
 * reads. Call it at the top level of a Vitest test file; `setup` runs before every case.
 *
 * @example
 * ```ts
 * // memory-store.test.ts
 * import { createMemoryBacking, memoryStore } from '@ocpi-credentials/core'
 * import { runStoreConformance } from '@ocpi-credentials/testing'
 *
 * runStoreConformance({
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
export function runStoreConformance(harness: StoreHarness): void {
  describe(`store conformance: ${harness.name}`, () => {
    const use = useHarness(harness)
    describe('peers', () => peerCases(use))
    describe('compare-and-swap and contact', () => casAndContactCases(use))
    describe('tokens', () => tokenCases(use))
    describe('consumeInvitation', () => invitationCases(use))
    describe('commitToken', () => commitCases(use))
    describe('retireSuperseded', () => retireCases(use))
    describe('revokeTokens', () => revokeCases(use))
    describe('replaceSuccessor', () => successorCases(use))
    describe('acquireLease', () => leaseCases(use))
    describe('change feed', () => changeFeedCases(use))
    describe('concurrency', () => concurrencyCases(use))
  })
}
