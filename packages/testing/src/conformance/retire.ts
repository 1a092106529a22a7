import { expect, it } from 'vitest'
import { snapshot } from './checks.js'
import { MINUTE, registeredPeer, sealed, T0, tokenOf } from './fixtures.js'
import type { UseStore } from './harness.js'
import { seedGraceWindow } from './seed-grace.js'

/**
 * Cases of `retireSuperseded`.
 *
 * @example
 * ```ts
 * describe('retireSuperseded', () => retireCases(useHarness(harness)))
 * ```
 */
export function retireCases(use: UseStore): void {
  const now = T0 + MINUTE

  /** peer-a after a rotation under grace: a current that supersedes a previous. */
  const seed = () => seedGraceWindow(use, now, sealed('issue'))

  it('deletes the superseded previous and clears supersedes, without touching the revision', async () => {
    const { store, raw } = use()
    const { old, issue } = await seed()
    const peer = await raw.peer('peer-a')
    await store.retireSuperseded(issue.digest)
    expect(await raw.token(old.digest)).toBeNull()
    expect(await raw.tokensOf('peer-a')).toEqual([{ ...issue, supersedes: null }])
    expect(await raw.peer('peer-a')).toEqual(peer)
  })

  it('is idempotent', async () => {
    const { store, raw } = use()
    const { issue } = await seed()
    await store.retireSuperseded(issue.digest)
    const after = await snapshot(raw, ['peer-a'])
    await store.retireSuperseded(issue.digest)
    expect(await snapshot(raw, ['peer-a'])).toEqual(after)
  })

  it('does nothing when given the previous token, an unknown digest or a current without supersedes', async () => {
    const { store, raw } = use()
    const { old } = await seed()
    const plain = tokenOf('peer-b', 'current')
    await store.createPeer(registeredPeer('peer-b'), [plain])
    const before = await snapshot(raw, ['peer-a', 'peer-b'])
    await store.retireSuperseded(old.digest)
    await store.retireSuperseded(tokenOf('peer-a', 'current').digest)
    await store.retireSuperseded(plain.digest)
    expect(await snapshot(raw, ['peer-a', 'peer-b'])).toEqual(before)
  })

  it('clears supersedes when the previous token is already gone (purged)', async () => {
    const { store, raw } = use()
    const { old, issue, grace } = await seed()
    expect(await store.purgeExpiredTokens(grace.expiresAt + 1)).toBe(1)
    expect(await raw.token(old.digest)).toBeNull()
    await store.retireSuperseded(issue.digest)
    expect(await raw.tokensOf('peer-a')).toEqual([{ ...issue, supersedes: null }])
  })
}
