import { expect, it } from 'vitest'
import { winnersOf } from './checks.js'
import { MINUTE, T0 } from './fixtures.js'
import type { UseStore } from './harness.js'

/**
 * Cases of `acquireLease`: one holder at a time, renewal by the holder, lapse at `until`.
 *
 * @example
 * ```ts
 * describe('acquireLease', () => leaseCases(useHarness(harness)))
 * ```
 */
export function leaseCases(use: UseStore): void {
  const lease = (holder: string, until: number, now: number, name = 'probe:peer-a') => ({
    name,
    holder,
    until,
    now,
  })

  it('a free lease is taken; another holder is refused until it lapses, then takes it', async () => {
    const { store } = use()
    expect(await store.acquireLease(lease('instance-1', T0 + MINUTE, T0))).toBe(true)
    expect(await store.acquireLease(lease('instance-2', T0 + 2 * MINUTE, T0 + MINUTE - 1))).toBe(false)
    // At `until` the lease has lapsed.
    expect(await store.acquireLease(lease('instance-2', T0 + 2 * MINUTE, T0 + MINUTE))).toBe(true)
    expect(await store.acquireLease(lease('instance-1', T0 + 3 * MINUTE, T0 + MINUTE + 1))).toBe(false)
  })

  it('the holder renews its lease, even before it lapses; leases of other names are independent', async () => {
    const { store } = use()
    expect(await store.acquireLease(lease('instance-1', T0 + MINUTE, T0))).toBe(true)
    expect(await store.acquireLease(lease('instance-1', T0 + 5 * MINUTE, T0 + 1))).toBe(true)
    // Renewed: still held past the first `until`.
    expect(await store.acquireLease(lease('instance-2', T0 + 6 * MINUTE, T0 + 2 * MINUTE))).toBe(false)
    expect(await store.acquireLease(lease('instance-2', T0 + MINUTE, T0, 'rotate:peer-a'))).toBe(true)
  })

  it('of many instances racing for one free lease, exactly one wins', async () => {
    const { store } = use()
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.acquireLease(lease(`instance-${i}`, T0 + MINUTE, T0))),
    )
    const winners = winnersOf(answers)
    expect(winners).toHaveLength(1)
    // The winner is the holder: it can renew, the others still cannot take it.
    expect(await store.acquireLease(lease(`instance-${winners[0]}`, T0 + 2 * MINUTE, T0 + 1))).toBe(true)
    const loser = (winners[0] ?? 0) === 0 ? 1 : 0
    expect(await store.acquireLease(lease(`instance-${loser}`, T0 + 2 * MINUTE, T0 + 1))).toBe(false)
  })

  it('of many instances racing for one lapsed lease, exactly one wins', async () => {
    const { store } = use()
    expect(await store.acquireLease(lease('instance-old', T0 + MINUTE, T0))).toBe(true)
    const later = T0 + 2 * MINUTE
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.acquireLease(lease(`instance-${i}`, later + MINUTE, later))),
    )
    expect(winnersOf(answers)).toHaveLength(1)
  })
}
