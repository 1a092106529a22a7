import type { StoreChange } from '@ocpi-credentials/core'
import { expect, it, vi } from 'vitest'
import { invitedPeer, MINUTE, T0, tokenOf } from './fixtures.js'
import type { UseStore } from './harness.js'

/** How long a change may take to be reported (the core's promise: within a second). */
const REPORTED_WITHIN_MS = 1_000

/**
 * Cases of the optional change feed (`store.changes`); skipped for a store without one. Changes from
 * other instances sharing the storage are the adapter's own tests to make (they need a second instance).
 *
 * @example
 * ```ts
 * describe('change feed', () => changeFeedCases(useHarness(harness)))
 * ```
 */
export function changeFeedCases(use: UseStore): void {
  it('reports every committed write to every listener, and nothing after unsubscribing', async (context) => {
    const { store } = use()
    const feed = store.changes
    if (feed === undefined) return context.skip()
    const kept: StoreChange[] = []
    const dropped: StoreChange[] = []
    const unsubscribeKept = feed.subscribe((change) => kept.push(change))
    const unsubscribeDropped = feed.subscribe((change) => dropped.push(change))
    try {
      // A feed may connect asynchronously: wait until it says so (or never said otherwise).
      await vi.waitFor(() => expect(kept.at(-1)?.type ?? 'connected').toBe('connected'), REPORTED_WITHIN_MS)
      kept.length = 0
      dropped.length = 0
      expect(await store.createPeer(invitedPeer('peer-a'), [tokenOf('peer-a', 'invitation')])).toBe(true)
      await vi.waitFor(() => expect(kept.some((c) => c.type === 'changed')).toBe(true), REPORTED_WITHIN_MS)
      await vi.waitFor(() => expect(dropped.some((c) => c.type === 'changed')).toBe(true), REPORTED_WITHIN_MS)

      unsubscribeDropped()
      dropped.length = 0
      kept.length = 0
      const pending = tokenOf('peer-a', 'pending-registration', { expiresAt: T0 + MINUTE })
      expect(await store.addToken(pending)).toBe(true)
      await store.abortToken(pending.digest)
      // Changes arrive in commit order: once the last one is here, so is anything the dropped one got.
      await vi.waitFor(
        () => expect(kept.filter((c) => c.type === 'changed').length).toBeGreaterThanOrEqual(2),
        REPORTED_WITHIN_MS,
      )
      expect(dropped).toEqual([])
    } finally {
      unsubscribeKept()
      unsubscribeDropped()
    }
  })
}
