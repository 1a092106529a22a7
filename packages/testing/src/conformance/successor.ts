import { expect, it } from 'vitest'
import { snapshot, winnersOf } from './checks.js'
import { MINUTE, sealed, T0, tokenOf } from './fixtures.js'
import type { UseStore } from './harness.js'
import { seedGraceWindow } from './seed-grace.js'

/**
 * Cases of `replaceSuccessor` (re-sealing a grace window's successor under a new key).
 *
 * @example
 * ```ts
 * describe('replaceSuccessor', () => successorCases(useHarness(harness)))
 * ```
 */
export function successorCases(use: UseStore): void {
  const now = T0 + MINUTE

  /** peer-a after a PUT under grace: a `previous` token that keeps the sealed current as successor. */
  const seed = () => seedGraceWindow(use, now, sealed('successor-k1'))

  it('replaces the successor when it is the expected one, without touching the record', async () => {
    const { store, raw } = use()
    const { old, grace } = await seed()
    const peer = await raw.peer('peer-a')
    const stored = await raw.token(old.digest)
    const next = sealed('successor-k2')
    expect(await store.replaceSuccessor({ digest: old.digest, expected: grace.successor, next })).toBe(true)
    expect(await raw.token(old.digest)).toEqual({ ...stored, successor: next })
    expect(await raw.peer('peer-a')).toEqual(peer)
  })

  it('writes nothing when the successor is not the expected one, or the token is unknown', async () => {
    const { store, raw } = use()
    const { old } = await seed()
    const before = await snapshot(raw, ['peer-a'])
    const next = sealed('successor-k2')
    expect(await store.replaceSuccessor({ digest: old.digest, expected: sealed('other'), next })).toBe(false)
    const unknown = tokenOf('peer-a', 'previous').digest
    expect(await store.replaceSuccessor({ digest: unknown, expected: sealed('successor-k1'), next })).toBe(
      false,
    )
    expect(await snapshot(raw, ['peer-a'])).toEqual(before)
  })

  it('lets exactly one of racing replacements of the same value win', async () => {
    const { store, raw } = use()
    const { old, grace } = await seed()
    const candidates = Array.from({ length: 8 }, (_, i) => sealed(`successor-k2-${i}`))
    const answers = await Promise.all(
      candidates.map((next) =>
        store.replaceSuccessor({ digest: old.digest, expected: grace.successor, next }),
      ),
    )
    const winners = winnersOf(answers)
    expect(winners).toHaveLength(1)
    expect((await raw.token(old.digest))?.successor).toBe(candidates[winners[0] ?? -1])
  })
}
