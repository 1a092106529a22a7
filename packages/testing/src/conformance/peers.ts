import type { PartyRef, PeerRecord } from '@ocpi-credentials/core'
import { describe, expect, it } from 'vitest'
import { snapshot } from './checks.js'
import { invitedPeer, registeredPeer, registeringPeer, T0, tokenOf, unregisteredFrom } from './fixtures.js'
import type { UseStore } from './harness.js'

/**
 * Cases of `createPeer`, `getPeer` and `listPeers`.
 *
 * @example
 * ```ts
 * describe('peers', () => peerCases(useHarness(harness)))
 * ```
 */
export function peerCases(use: UseStore): void {
  describe('createPeer', () => {
    it('stores the record and its tokens', async () => {
      const { store, raw } = use()
      const peer = invitedPeer('peer-a')
      const invitation = tokenOf('peer-a', 'invitation')
      const pending = tokenOf('peer-a', 'pending-registration')
      expect(await store.createPeer(peer, [invitation, pending])).toBe(true)
      expect(await raw.peer('peer-a')).toEqual(peer)
      expect(await raw.token(invitation.digest)).toEqual(invitation)
      expect(await raw.token(pending.digest)).toEqual(pending)
      expect(await raw.tokensOf('peer-a')).toHaveLength(2)
    })

    it('stores a peer without tokens, as given', async () => {
      const { store, raw } = use()
      const peer = registeredPeer('peer-a', { revision: 5, lastContactAt: T0 + 1 })
      expect(await store.createPeer(peer, [])).toBe(true)
      expect(await raw.peer('peer-a')).toEqual(peer)
      expect(await raw.tokensOf('peer-a')).toEqual([])
    })

    it('answers false and writes nothing when the id exists', async () => {
      const { store, raw } = use()
      const original = invitedPeer('peer-a')
      await store.createPeer(original, [tokenOf('peer-a', 'invitation')])
      const before = await snapshot(raw, ['peer-a'])
      const extra = tokenOf('peer-a', 'invitation')
      expect(await store.createPeer(registeringPeer('peer-a'), [extra])).toBe(false)
      expect(await snapshot(raw, ['peer-a'])).toEqual(before)
      expect(await raw.token(extra.digest)).toBeNull()
    })

    it('answers false and writes nothing when a digest exists, even for another peer', async () => {
      const { store, raw } = use()
      const taken = tokenOf('peer-a', 'invitation')
      await store.createPeer(invitedPeer('peer-a'), [taken])
      const before = await snapshot(raw, ['peer-a'])
      const fresh = tokenOf('peer-b', 'invitation')
      const clash = tokenOf('peer-b', 'invitation', { digest: taken.digest })
      expect(await store.createPeer(invitedPeer('peer-b'), [fresh, clash])).toBe(false)
      expect(await raw.peer('peer-b')).toBeNull()
      expect(await raw.token(fresh.digest)).toBeNull()
      expect(await raw.tokensOf('peer-b')).toEqual([])
      expect(await snapshot(raw, ['peer-a'])).toEqual(before)
    })

    it('answers false and writes nothing when two of its tokens share a digest', async () => {
      const { store, raw } = use()
      const token = tokenOf('peer-a', 'invitation')
      const twin = tokenOf('peer-a', 'pending-registration', { digest: token.digest })
      expect(await store.createPeer(invitedPeer('peer-a'), [token, twin])).toBe(false)
      expect(await raw.peer('peer-a')).toBeNull()
      expect(await raw.token(token.digest)).toBeNull()
    })

    it('keeps its own copy: changing the arguments afterwards changes nothing stored', async () => {
      const { store, raw } = use()
      const peer = invitedPeer('peer-a')
      const token = tokenOf('peer-a', 'invitation')
      const expected = structuredClone(peer)
      const expectedToken = structuredClone(token)
      await store.createPeer(peer, [token])
      ;(peer as { updatedAt: number }).updatedAt = T0 + 99
      ;(peer.expectedParties as PartyRef[]).push({ country_code: 'BE', party_id: 'XXX' })
      ;(token as { expiresAt: number | null }).expiresAt = null
      expect(await raw.peer('peer-a')).toEqual(expected)
      expect(await raw.token(token.digest)).toEqual(expectedToken)
    })
  })

  describe('getPeer', () => {
    it('answers the stored record, or null for an unknown id', async () => {
      const { store, raw } = use()
      await store.createPeer(registeredPeer('peer-a'), [])
      expect(await store.getPeer('peer-a')).toEqual(await raw.peer('peer-a'))
      expect(await store.getPeer('peer-b')).toBeNull()
    })

    it('answers a record through which the stored state cannot be changed', async () => {
      const { store, raw } = use()
      await store.createPeer(registeredPeer('peer-a'), [])
      const before = structuredClone(await raw.peer('peer-a'))
      const read = (await store.getPeer('peer-a')) as PeerRecord
      attempt(() => {
        ;(read as { revision: number }).revision = 99
      })
      if (read.state === 'registered') attempt(() => (read.link.parties as unknown[]).splice(0))
      expect(await raw.peer('peer-a')).toEqual(before)
    })
  })

  describe('listPeers', () => {
    const seed = async (ids: readonly string[], state: (id: string) => PeerRecord = invitedPeer) => {
      for (const id of ids) expect(await use().store.createPeer(state(id), [])).toBe(true)
    }
    const idsOf = (peers: readonly PeerRecord[]) => peers.map((p) => p.id)

    it('answers [] on an empty store', async () => {
      expect(await use().store.listPeers()).toEqual([])
    })

    it('orders peers by id, whatever the order they were created in', async () => {
      const { store, raw } = use()
      await seed(['m', 'b2', 'z', 'a1', 'a', 'b10'])
      const peers = await store.listPeers()
      expect(idsOf(peers)).toEqual(['a', 'a1', 'b10', 'b2', 'm', 'z'])
      expect(peers[0]).toEqual(await raw.peer('a'))
    })

    it('filters by state', async () => {
      const { store } = use()
      await seed(['c', 'a'], invitedPeer)
      await seed(['d', 'b'], registeredPeer)
      expect(idsOf(await store.listPeers({ state: 'registered' }))).toEqual(['b', 'd'])
      expect(idsOf(await store.listPeers({ state: 'invited' }))).toEqual(['a', 'c'])
      expect(await store.listPeers({ state: 'unregistered' })).toEqual([])
    })

    it('pages by keyset: after the last id seen, at most limit peers', async () => {
      const { store } = use()
      const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']
      await seed([...ids].reverse())
      const pages: string[][] = []
      let after: string | undefined
      // Bounded, so that a store that repeats a page fails instead of looping.
      for (let round = 0; round < 5; round++) {
        const page = idsOf(await store.listPeers(after === undefined ? { limit: 3 } : { after, limit: 3 }))
        if (page.length === 0) break
        pages.push(page)
        after = page.at(-1)
      }
      expect(pages).toEqual([['p1', 'p2', 'p3'], ['p4', 'p5', 'p6'], ['p7']])
    })

    it('takes ids strictly greater than after, which need not exist', async () => {
      const { store } = use()
      await seed(['a', 'b', 'c', 'd'])
      expect(idsOf(await store.listPeers({ after: 'b' }))).toEqual(['c', 'd'])
      expect(idsOf(await store.listPeers({ after: 'bb' }))).toEqual(['c', 'd'])
      expect(idsOf(await store.listPeers({ after: 'd' }))).toEqual([])
    })

    it('reads limit as pageLimit does: a fraction rounds up, zero or less gives none, NaN or Infinity none', async () => {
      const { store } = use()
      await seed(['a', 'b', 'c'])
      expect(idsOf(await store.listPeers({ limit: 1.5 }))).toEqual(['a', 'b'])
      expect(await store.listPeers({ limit: 0 })).toEqual([])
      expect(await store.listPeers({ limit: -1 })).toEqual([])
      for (const limit of [1e20, Number.POSITIVE_INFINITY, Number.NaN]) {
        expect(idsOf(await store.listPeers({ limit })), `limit ${limit}`).toEqual(['a', 'b', 'c'])
      }
    })

    it('answers ids holding U+0000 (no id the SDK makes does) as unknown, without failing', async () => {
      const { store } = use()
      await seed(['a', 'b', 'c'], registeredPeer)
      const odd = 'a\u0000b'
      expect(await store.getPeer(odd)).toBeNull()
      expect(await store.listTokens(odd)).toEqual([])
      expect(await store.touchContact(odd, T0)).toBeUndefined()
      expect(await store.casPeer(odd, 0, registeredPeer(odd))).toBeNull()
      // Ids compare as strings: 'a' < 'a\u0000b' < 'b'.
      expect(idsOf(await store.listPeers({ after: odd }))).toEqual(['b', 'c'])
    })

    it('applies the limit after the state filter', async () => {
      const { store } = use()
      await seed(['a', 'c', 'e'], invitedPeer)
      await seed(['b', 'd', 'f'], registeredPeer)
      expect(idsOf(await store.listPeers({ state: 'registered', limit: 2 }))).toEqual(['b', 'd'])
      expect(idsOf(await store.listPeers({ state: 'registered', after: 'b', limit: 2 }))).toEqual(['d', 'f'])
    })

    it('lists the state as last written', async () => {
      const { store } = use()
      await seed(['a', 'b'], registeredPeer)
      const a = (await store.getPeer('a')) as PeerRecord
      expect(await store.casPeer('a', a.revision, unregisteredFrom(a))).not.toBeNull()
      expect(idsOf(await store.listPeers({ state: 'registered' }))).toEqual(['b'])
      expect(idsOf(await store.listPeers({ state: 'unregistered' }))).toEqual(['a'])
    })
  })
}

/** Runs a mutation that a frozen record refuses with a TypeError (strict mode): either outcome is fine. */
function attempt(mutation: () => unknown): void {
  try {
    mutation()
  } catch (error) {
    if (!(error instanceof TypeError)) throw error
  }
}
