import type { PeerRecord } from '@ocpi-credentials/core'
import { describe, expect, it } from 'vitest'
import { snapshot } from './checks.js'
import {
  invitedPeer,
  MINUTE,
  registeredFrom,
  registeredPeer,
  T0,
  tokenOf,
  unregisteredFrom,
} from './fixtures.js'
import type { UseStore } from './harness.js'

/**
 * Cases of `casPeer` and `touchContact`, and of how every revision-checked write treats `lastContactAt`.
 *
 * @example
 * ```ts
 * describe('cas', () => casAndContactCases(useHarness(harness)))
 * ```
 */
export function casAndContactCases(use: UseStore): void {
  const seed = async (peer: PeerRecord) => {
    expect(await use().store.createPeer(peer, [])).toBe(true)
    return peer
  }

  describe('casPeer', () => {
    it('stores next with revision + 1 and updatedAt as given, and answers the stored record', async () => {
      const { store, raw } = use()
      const peer = await seed(invitedPeer('peer-a', { revision: 3 }))
      const next = registeredFrom(peer, { updatedAt: T0 + MINUTE })
      const stored = await store.casPeer('peer-a', 3, next)
      expect(stored).toEqual({ ...next, revision: 4 })
      expect(await raw.peer('peer-a')).toEqual(stored)
    })

    it('writes revision + 1 whatever next.revision says', async () => {
      const { store, raw } = use()
      const peer = await seed(registeredPeer('peer-a'))
      await store.casPeer('peer-a', 0, { ...peer, revision: 41 })
      expect((await raw.peer('peer-a'))?.revision).toBe(1)
    })

    it('answers null and writes nothing when the revision is not the stored one', async () => {
      const { store, raw } = use()
      const peer = await seed(registeredPeer('peer-a', { revision: 2 }))
      const before = await snapshot(raw, ['peer-a'])
      expect(await store.casPeer('peer-a', 1, unregisteredFrom(peer))).toBeNull()
      expect(await store.casPeer('peer-a', 3, unregisteredFrom(peer))).toBeNull()
      expect(await snapshot(raw, ['peer-a'])).toEqual(before)
    })

    it('succeeds once per revision: replaying the same swap answers null', async () => {
      const { store, raw } = use()
      const peer = await seed(registeredPeer('peer-a'))
      expect(await store.casPeer('peer-a', 0, { ...peer, updatedAt: T0 + 1 })).not.toBeNull()
      const after = await snapshot(raw, ['peer-a'])
      expect(await store.casPeer('peer-a', 0, { ...peer, updatedAt: T0 + 2 })).toBeNull()
      expect(await snapshot(raw, ['peer-a'])).toEqual(after)
    })

    it('answers null for an unknown peer and creates nothing', async () => {
      const { store, raw } = use()
      expect(await store.casPeer('peer-x', 0, registeredPeer('peer-x'))).toBeNull()
      expect(await raw.peer('peer-x')).toBeNull()
    })

    it('keeps the stored lastContactAt when it is later than next.lastContactAt', async () => {
      const { store, raw } = use()
      const peer = await seed(registeredPeer('peer-a', { lastContactAt: T0 + 500 }))
      expect(await store.casPeer('peer-a', 0, { ...peer, lastContactAt: T0 + 100 })).toMatchObject({
        lastContactAt: T0 + 500,
      })
      expect((await raw.peer('peer-a'))?.lastContactAt).toBe(T0 + 500)
      await store.casPeer('peer-a', 1, { ...peer, lastContactAt: null })
      expect((await raw.peer('peer-a'))?.lastContactAt).toBe(T0 + 500)
    })

    it('takes next.lastContactAt when it is later', async () => {
      const { store, raw } = use()
      const peer = await seed(registeredPeer('peer-a', { lastContactAt: T0 + 500 }))
      await store.casPeer('peer-a', 0, { ...peer, lastContactAt: T0 + 900 })
      expect((await raw.peer('peer-a'))?.lastContactAt).toBe(T0 + 900)
    })

    it('does not touch the peer tokens', async () => {
      const { store, raw } = use()
      const peer = registeredPeer('peer-a')
      await store.createPeer(peer, [tokenOf('peer-a', 'current')])
      const before = await raw.tokensOf('peer-a')
      await store.casPeer('peer-a', 0, { ...peer, updatedAt: T0 + 1 })
      expect(await raw.tokensOf('peer-a')).toEqual(before)
    })
  })

  describe('touchContact', () => {
    it('records the contact time without changing the revision or anything else', async () => {
      const { store, raw } = use()
      const peer = await seed(registeredPeer('peer-a', { revision: 7 }))
      await store.touchContact('peer-a', T0 + 300)
      expect(await raw.peer('peer-a')).toEqual({ ...peer, lastContactAt: T0 + 300 })
    })

    it('keeps the later of the stored and the given time', async () => {
      const { store, raw } = use()
      await seed(registeredPeer('peer-a'))
      await store.touchContact('peer-a', T0 + 300)
      await store.touchContact('peer-a', T0 + 200)
      expect((await raw.peer('peer-a'))?.lastContactAt).toBe(T0 + 300)
      await store.touchContact('peer-a', T0 + 400)
      expect((await raw.peer('peer-a'))?.lastContactAt).toBe(T0 + 400)
    })

    it('does nothing for an unknown peer', async () => {
      const { store, raw } = use()
      await store.touchContact('peer-x', T0)
      expect(await raw.peer('peer-x')).toBeNull()
    })

    it('never makes a compare-and-swap with the revision read before it fail', async () => {
      const { store, raw } = use()
      const peer = await seed(registeredPeer('peer-a'))
      const read = (await store.getPeer('peer-a')) as PeerRecord
      await store.touchContact('peer-a', T0 + 300)
      const stored = await store.casPeer('peer-a', read.revision, { ...read, updatedAt: T0 + 5 })
      expect(stored).toEqual({ ...peer, revision: 1, updatedAt: T0 + 5, lastContactAt: T0 + 300 })
      expect(await raw.peer('peer-a')).toEqual(stored)
    })
  })

  // The contract states the rule on casPeer; a touchContact racing any other revision-checked write must
  // not be undone by it either (a stale `next` carries the older contact time).
  describe('lastContactAt on the other revision-checked writes', () => {
    it('consumeInvitation keeps a later stored lastContactAt', async () => {
      const { store, raw } = use()
      const peer = invitedPeer('peer-a')
      const invitation = tokenOf('peer-a', 'invitation')
      await store.createPeer(peer, [invitation])
      await store.touchContact('peer-a', T0 + 700)
      const issue = tokenOf('peer-a', 'current')
      const next = registeredFrom(peer, { lastContactAt: T0 + 10 })
      await store.consumeInvitation({ invitation: invitation.digest, revision: 0, next, issue, now: T0 })
      expect(await raw.peer('peer-a')).toMatchObject({ revision: 1, lastContactAt: T0 + 700 })
    })

    it('commitToken keeps a later stored lastContactAt', async () => {
      const { store, raw } = use()
      const peer = registeredPeer('peer-a')
      await store.createPeer(peer, [tokenOf('peer-a', 'current')])
      await store.touchContact('peer-a', T0 + 700)
      const issue = tokenOf('peer-a', 'current')
      await store.commitToken({
        peerId: 'peer-a',
        revision: 0,
        next: peer,
        token: { issue },
        grace: null,
        now: T0,
      })
      expect(await raw.peer('peer-a')).toMatchObject({ revision: 1, lastContactAt: T0 + 700 })
    })

    it('revokeTokens keeps a later stored lastContactAt', async () => {
      const { store, raw } = use()
      const peer = registeredPeer('peer-a')
      await store.createPeer(peer, [tokenOf('peer-a', 'current')])
      await store.touchContact('peer-a', T0 + 700)
      await store.revokeTokens({ peerId: 'peer-a', revision: 0, next: unregisteredFrom(peer) })
      expect(await raw.peer('peer-a')).toMatchObject({ revision: 1, lastContactAt: T0 + 700 })
    })
  })
}
