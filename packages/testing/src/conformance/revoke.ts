import type { RevokeTokens } from '@ocpi-credentials/core'
import { expect, it } from 'vitest'
import { refused, snapshot } from './checks.js'
import { HOUR, invitedPeer, registeredPeer, T0, tokenOf, unregisteredFrom } from './fixtures.js'
import type { UseStore } from './harness.js'

/**
 * Cases of `revokeTokens`.
 *
 * @example
 * ```ts
 * describe('revokeTokens', () => revokeCases(useHarness(harness)))
 * ```
 */
export function revokeCases(use: UseStore): void {
  /** peer-a registered at revision 4 holding a token of every kind (one expired); peer-b with a current. */
  const seed = async () => {
    const { store } = use()
    const peer = registeredPeer('peer-a', { revision: 4 })
    const tokens = [
      tokenOf('peer-a', 'current'),
      tokenOf('peer-a', 'previous'),
      tokenOf('peer-a', 'pending-rotation'),
      tokenOf('peer-a', 'invitation', { expiresAt: T0 - 1 }),
    ]
    const other = tokenOf('peer-b', 'current')
    expect(await store.createPeer(peer, tokens)).toBe(true)
    expect(await store.createPeer(registeredPeer('peer-b'), [other])).toBe(true)
    const args: RevokeTokens = {
      peerId: 'peer-a',
      revision: 4,
      next: unregisteredFrom(peer, { updatedAt: T0 + 1 }),
    }
    return { peer, tokens, other, args }
  }

  it('deletes every token of the peer and stores next at revision + 1', async () => {
    const { store, raw } = use()
    const { tokens, args } = await seed()
    const stored = await store.revokeTokens(args)
    expect(stored).toEqual({ ...args.next, revision: 5 })
    expect(await raw.peer('peer-a')).toEqual(stored)
    expect(await raw.tokensOf('peer-a')).toEqual([])
    for (const token of tokens) expect(await raw.token(token.digest)).toBeNull()
  })

  it('inserts the issued tokens in the same step', async () => {
    const { store, raw } = use()
    const { peer, args } = await seed()
    const invitation = tokenOf('peer-a', 'invitation', { createdAt: T0 + 1, expiresAt: T0 + HOUR })
    const next = invitedPeer('peer-a', { createdAt: peer.createdAt, updatedAt: T0 + 1 })
    expect(await store.revokeTokens({ ...args, next, issue: [invitation] })).toEqual({ ...next, revision: 5 })
    expect(await raw.tokensOf('peer-a')).toEqual([invitation])
  })

  it("leaves other peers' tokens alone", async () => {
    const { store, raw } = use()
    const { args } = await seed()
    const before = await snapshot(raw, ['peer-b'])
    await store.revokeTokens(args)
    expect(await snapshot(raw, ['peer-b'])).toEqual(before)
  })

  it('writes revision + 1 whatever next.revision says', async () => {
    const { store, raw } = use()
    const { args } = await seed()
    await store.revokeTokens({ ...args, next: { ...args.next, revision: 0 } })
    expect((await raw.peer('peer-a'))?.revision).toBe(5)
  })

  it('answers null and writes nothing when the revision is not the stored one', async () => {
    const { store, raw } = use()
    const { args } = await seed()
    const before = await snapshot(raw, ['peer-a', 'peer-b'])
    const issue = [tokenOf('peer-a', 'invitation')]
    expect(await store.revokeTokens({ ...args, revision: 3, issue })).toBeNull()
    expect(await store.revokeTokens({ ...args, revision: 5, issue })).toBeNull()
    expect(await snapshot(raw, ['peer-a', 'peer-b'])).toEqual(before)
  })

  // An issued digest that exists is a contradictory argument: refused or thrown, and nothing written
  // (the peer's tokens are not deleted, its record keeps its revision, the other peer keeps its token).
  it("answers null (or throws) and writes nothing when an issued digest is another peer's token", async () => {
    const { store, raw } = use()
    const { other, args } = await seed()
    const before = await snapshot(raw, ['peer-a', 'peer-b'])
    const clash = tokenOf('peer-a', 'invitation', { digest: other.digest, expiresAt: T0 + HOUR })
    const next = invitedPeer('peer-a', { updatedAt: T0 + 1 })
    expect(await refused(() => store.revokeTokens({ ...args, next, issue: [clash] }))).toBe(true)
    expect(await snapshot(raw, ['peer-a', 'peer-b'])).toEqual(before)
  })

  it('answers null (or throws) and writes nothing when two issued tokens share a digest', async () => {
    const { store, raw } = use()
    const { args } = await seed()
    const before = await snapshot(raw, ['peer-a', 'peer-b'])
    const first = tokenOf('peer-a', 'invitation', { expiresAt: T0 + HOUR })
    const twin = { ...first, createdAt: T0 + 1 }
    const next = invitedPeer('peer-a', { updatedAt: T0 + 1 })
    expect(await refused(() => store.revokeTokens({ ...args, next, issue: [first, twin] }))).toBe(true)
    expect(await snapshot(raw, ['peer-a', 'peer-b'])).toEqual(before)
  })

  it('answers null and writes nothing for an unknown peer', async () => {
    const { store, raw } = use()
    const { args } = await seed()
    const issue = [tokenOf('peer-x', 'invitation')]
    const next = { ...args.next, id: 'peer-x' }
    expect(await store.revokeTokens({ peerId: 'peer-x', revision: 0, next, issue })).toBeNull()
    expect(await raw.peer('peer-x')).toBeNull()
    expect(await raw.tokensOf('peer-x')).toEqual([])
  })
}
