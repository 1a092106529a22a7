import type { TokenRecord } from '@ocpi-credentials/core'
import { describe, expect, it } from 'vitest'
import { refused, snapshot } from './checks.js'
import { byDigest, HOUR, invitedPeer, registeredPeer, T0, tokenOf } from './fixtures.js'
import type { UseStore } from './harness.js'

/**
 * Cases of `findToken`, `listTokens`, `addToken`, `abortToken` and `purgeExpiredTokens`.
 *
 * @example
 * ```ts
 * describe('tokens', () => tokenCases(useHarness(harness)))
 * ```
 */
export function tokenCases(use: UseStore): void {
  /** peer-a (registered) holding one token of every kind, one of them expired; peer-b with one current. */
  const seed = async () => {
    const { store } = use()
    const a = {
      current: tokenOf('peer-a', 'current'),
      previous: tokenOf('peer-a', 'previous', { expiresAt: T0 + 5 * 60_000 }),
      rotation: tokenOf('peer-a', 'pending-rotation'),
      registration: tokenOf('peer-a', 'pending-registration'),
      invitation: tokenOf('peer-a', 'invitation', { expiresAt: T0 - 1 }),
    }
    const b = tokenOf('peer-b', 'current')
    expect(await store.createPeer(registeredPeer('peer-a'), Object.values(a))).toBe(true)
    expect(await store.createPeer(registeredPeer('peer-b'), [b])).toBe(true)
    return { a, b }
  }

  describe('findToken', () => {
    it('answers the stored record of a digest, expired ones included, or null', async () => {
      const { store, raw } = use()
      const { a } = await seed()
      expect(await store.findToken(a.current.digest)).toEqual(await raw.token(a.current.digest))
      expect(await store.findToken(a.invitation.digest)).toEqual(a.invitation)
      expect(await store.findToken(tokenOf('peer-a', 'current').digest)).toBeNull()
    })

    it('answers a record through which the stored state cannot be changed', async () => {
      const { store, raw } = use()
      const { a } = await seed()
      const read = (await store.findToken(a.rotation.digest)) as TokenRecord
      try {
        ;(read as { kind: string }).kind = 'current'
      } catch (error) {
        if (!(error instanceof TypeError)) throw error
      }
      expect(await raw.token(a.rotation.digest)).toEqual(a.rotation)
    })
  })

  describe('listTokens', () => {
    it('answers every token of the peer, of any kind, expired included, and no other', async () => {
      const { store, raw } = use()
      const { a, b } = await seed()
      expect(byDigest(await store.listTokens('peer-a'))).toEqual(byDigest(Object.values(a)))
      expect(byDigest(await store.listTokens('peer-a'))).toEqual(byDigest(await raw.tokensOf('peer-a')))
      expect(await store.listTokens('peer-b')).toEqual([b])
    })

    it('answers [] for a peer without tokens or an unknown peer', async () => {
      const { store } = use()
      await store.createPeer(invitedPeer('peer-a'), [])
      expect(await store.listTokens('peer-a')).toEqual([])
      expect(await store.listTokens('peer-x')).toEqual([])
    })
  })

  describe('addToken', () => {
    it('inserts a pending token without touching the peer record', async () => {
      const { store, raw } = use()
      await seed()
      const before = await raw.peer('peer-a')
      const rotation = tokenOf('peer-a', 'pending-rotation')
      const registration = tokenOf('peer-a', 'pending-registration')
      expect(await store.addToken(rotation)).toBe(true)
      expect(await store.addToken(registration)).toBe(true)
      expect(await raw.token(rotation.digest)).toEqual(rotation)
      expect(await raw.token(registration.digest)).toEqual(registration)
      expect(await raw.tokensOf('peer-a')).toHaveLength(7)
      expect(await raw.peer('peer-a')).toEqual(before)
    })

    it('answers false and writes nothing when the digest exists, for this peer or another', async () => {
      const { store, raw } = use()
      const { a, b } = await seed()
      const before = await snapshot(raw, ['peer-a', 'peer-b'])
      expect(await store.addToken(tokenOf('peer-a', 'pending-rotation', { digest: a.current.digest }))).toBe(
        false,
      )
      expect(await store.addToken(tokenOf('peer-a', 'pending-rotation', { digest: b.digest }))).toBe(false)
      expect(await snapshot(raw, ['peer-a', 'peer-b'])).toEqual(before)
    })

    it('answers false and writes nothing for an unknown peer', async () => {
      const { store, raw } = use()
      const orphan = tokenOf('peer-x', 'pending-rotation')
      expect(await store.addToken(orphan)).toBe(false)
      expect(await raw.token(orphan.digest)).toBeNull()
      expect(await raw.tokensOf('peer-x')).toEqual([])
    })

    it('refuses a token that never expires, writing nothing', async () => {
      const { store, raw } = use()
      await seed()
      const endless = tokenOf('peer-a', 'pending-rotation', { expiresAt: null })
      expect(await refused(() => store.addToken(endless))).toBe(true)
      expect(await raw.token(endless.digest)).toBeNull()
    })

    it('refuses a token that is not pending, writing nothing', async () => {
      const { store, raw } = use()
      await seed()
      const current = tokenOf('peer-a', 'current', { expiresAt: T0 + HOUR })
      expect(await refused(() => store.addToken(current))).toBe(true)
      expect(await raw.token(current.digest)).toBeNull()
    })
  })

  describe('abortToken', () => {
    it('deletes a pending token of either kind', async () => {
      const { store, raw } = use()
      const { a } = await seed()
      await store.abortToken(a.rotation.digest)
      await store.abortToken(a.registration.digest)
      expect(await raw.token(a.rotation.digest)).toBeNull()
      expect(await raw.token(a.registration.digest)).toBeNull()
      expect(byDigest(await raw.tokensOf('peer-a'))).toEqual(byDigest([a.current, a.previous, a.invitation]))
    })

    it('leaves tokens of other kinds alone', async () => {
      const { store, raw } = use()
      const { a } = await seed()
      const before = await snapshot(raw, ['peer-a'])
      for (const token of [a.current, a.previous, a.invitation]) await store.abortToken(token.digest)
      expect(await snapshot(raw, ['peer-a'])).toEqual(before)
    })

    it('is idempotent and quiet for an unknown digest', async () => {
      const { store, raw } = use()
      const { a } = await seed()
      await store.abortToken(a.rotation.digest)
      const after = await snapshot(raw, ['peer-a', 'peer-b'])
      await store.abortToken(a.rotation.digest)
      await store.abortToken(tokenOf('peer-a', 'pending-rotation').digest)
      expect(await snapshot(raw, ['peer-a', 'peer-b'])).toEqual(after)
    })
  })

  describe('purgeExpiredTokens', () => {
    it('deletes the tokens that expired before now, keeps the others, and answers how many', async () => {
      const { store, raw } = use()
      const now = T0 + HOUR
      const early = tokenOf('peer-a', 'previous', { expiresAt: now - 1 })
      const boundary = tokenOf('peer-a', 'pending-rotation', { expiresAt: now })
      const late = tokenOf('peer-a', 'invitation', { expiresAt: now + 1 })
      const current = tokenOf('peer-a', 'current')
      const other = tokenOf('peer-b', 'invitation', { expiresAt: T0 })
      await store.createPeer(registeredPeer('peer-a'), [early, boundary, late, current])
      await store.createPeer(invitedPeer('peer-b'), [other])
      expect(await store.purgeExpiredTokens(now)).toBe(2)
      expect(await raw.token(early.digest)).toBeNull()
      expect(await raw.token(other.digest)).toBeNull()
      expect(byDigest(await raw.tokensOf('peer-a'))).toEqual(byDigest([boundary, late, current]))
      expect(await raw.tokensOf('peer-b')).toEqual([])
    })

    it('answers 0 when nothing is left to purge, and leaves the peers alone', async () => {
      const { store, raw } = use()
      await seed()
      const peers = [await raw.peer('peer-a'), await raw.peer('peer-b')]
      expect(await store.purgeExpiredTokens(T0)).toBe(1)
      expect(await store.purgeExpiredTokens(T0)).toBe(0)
      expect([await raw.peer('peer-a'), await raw.peer('peer-b')]).toEqual(peers)
    })

    it('leaves nothing of a purged token for the store to find', async () => {
      const { store } = use()
      const { a } = await seed()
      await store.purgeExpiredTokens(T0 + 2 * HOUR)
      expect(await store.findToken(a.rotation.digest)).toBeNull()
      expect(await store.listTokens('peer-a')).toEqual([a.current])
    })
  })
}
