import type { CredentialsStore, StoreChange, TokenRecord } from '@ocpi-credentials/core'
import { expect, it, vi } from 'vitest'
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

/** How long a change may take to be reported (the core's promise: within a second). */
const REPORTED_WITHIN_MS = 1_000

/** Stores peer-a registered at revision 0 with a current token and `others`. */
async function seedRegistered(store: CredentialsStore, others: readonly TokenRecord[] = []): Promise<void> {
  expect(await store.createPeer(registeredPeer('peer-a'), [tokenOf('peer-a', 'current'), ...others])).toBe(
    true,
  )
}

/**
 * A write after which an authentication cached by another instance may be wrong: `prepare` stores what
 * the write needs (before anybody listens) and answers the write, which answers whether it succeeded.
 */
interface FeedWrite {
  readonly name: string
  readonly prepare: (store: CredentialsStore) => Promise<() => Promise<boolean>>
}

/**
 * Every write the core's own cache clears on (`AuthCache.invalidating`): each creates, ends or replaces
 * a token's authentication, or changes the record an authentication answers, so another instance must
 * hear of it. Not listed: the writes no cache depends on (`touchContact`, `replaceSuccessor`,
 * `acquireLease`) and `purgeExpiredTokens`, which only deletes tokens no cached authentication outlives.
 */
const WRITES: readonly FeedWrite[] = [
  {
    name: 'createPeer',
    prepare: async (store) => async () =>
      store.createPeer(invitedPeer('peer-a'), [tokenOf('peer-a', 'invitation')]),
  },
  {
    name: 'casPeer',
    prepare: async (store) => {
      await seedRegistered(store)
      const next = registeredPeer('peer-a', { updatedAt: T0 + 1 })
      return async () => (await store.casPeer('peer-a', 0, next)) !== null
    },
  },
  {
    name: 'addToken',
    prepare: async (store) => {
      await seedRegistered(store)
      return async () => store.addToken(tokenOf('peer-a', 'pending-rotation'))
    },
  },
  {
    name: 'abortToken',
    prepare: async (store) => {
      const pending = tokenOf('peer-a', 'pending-rotation')
      await seedRegistered(store, [pending])
      return async () => {
        await store.abortToken(pending.digest)
        return (await store.findToken(pending.digest)) === null
      }
    },
  },
  {
    name: 'consumeInvitation',
    prepare: async (store) => {
      const peer = invitedPeer('peer-a')
      const invitation = tokenOf('peer-a', 'invitation')
      expect(await store.createPeer(peer, [invitation])).toBe(true)
      return async () =>
        (await store.consumeInvitation({
          invitation: invitation.digest,
          revision: 0,
          next: registeredFrom(peer, { updatedAt: T0 + 1 }),
          issue: tokenOf('peer-a', 'current', { createdAt: T0 + 1 }),
          now: T0 + 1,
        })) !== null
    },
  },
  {
    name: 'commitToken',
    prepare: async (store) => {
      const pending = tokenOf('peer-a', 'pending-rotation')
      await seedRegistered(store, [pending])
      return async () =>
        (await store.commitToken({
          peerId: 'peer-a',
          revision: 0,
          next: registeredPeer('peer-a', { updatedAt: T0 + 1 }),
          token: { pending: pending.digest },
          grace: { expiresAt: T0 + 5 * MINUTE, successor: null },
          now: T0 + 1,
        })) !== null
    },
  },
  {
    name: 'retireSuperseded',
    prepare: async (store) => {
      const old = tokenOf('peer-a', 'current')
      const issue = tokenOf('peer-a', 'current', { createdAt: T0 + 1 })
      const peer = registeredPeer('peer-a')
      expect(await store.createPeer(peer, [old])).toBe(true)
      const grace = { expiresAt: T0 + 5 * MINUTE, successor: null }
      const committed = await store.commitToken({
        peerId: 'peer-a',
        revision: 0,
        next: peer,
        token: { issue },
        grace,
        now: T0 + 1,
      })
      expect(committed).not.toBeNull()
      return async () => {
        await store.retireSuperseded(issue.digest)
        return (await store.findToken(old.digest)) === null
      }
    },
  },
  {
    name: 'revokeTokens',
    prepare: async (store) => {
      await seedRegistered(store)
      const next = unregisteredFrom(registeredPeer('peer-a'), { updatedAt: T0 + 1 })
      return async () => (await store.revokeTokens({ peerId: 'peer-a', revision: 0, next })) !== null
    },
  },
]

/** Subscribes, and waits until the feed is connected (a feed may connect asynchronously). */
async function listen(feed: NonNullable<CredentialsStore['changes']>) {
  const changes: StoreChange[] = []
  const unsubscribe = feed.subscribe((change) => changes.push(change))
  await vi.waitFor(() => expect(changes.at(-1)?.type ?? 'connected').toBe('connected'), REPORTED_WITHIN_MS)
  changes.length = 0
  return { changes, unsubscribe }
}

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
    const kept = await listen(feed)
    const dropped = await listen(feed)
    try {
      expect(await store.createPeer(invitedPeer('peer-a'), [tokenOf('peer-a', 'invitation')])).toBe(true)
      const changed = (list: StoreChange[]) => list.some((c) => c.type === 'changed')
      await vi.waitFor(() => expect(changed(kept.changes)).toBe(true), REPORTED_WITHIN_MS)
      await vi.waitFor(() => expect(changed(dropped.changes)).toBe(true), REPORTED_WITHIN_MS)

      dropped.unsubscribe()
      dropped.changes.length = 0
      kept.changes.length = 0
      const pending = tokenOf('peer-a', 'pending-rotation', { expiresAt: T0 + MINUTE })
      expect(await store.addToken(pending)).toBe(true)
      await store.abortToken(pending.digest)
      // Changes arrive in commit order: once the last one is here, so is anything the dropped one got.
      await vi.waitFor(
        () => expect(kept.changes.filter((c) => c.type === 'changed').length).toBeGreaterThanOrEqual(2),
        REPORTED_WITHIN_MS,
      )
      expect(dropped.changes).toEqual([])
    } finally {
      kept.unsubscribe()
      dropped.unsubscribe()
    }
  })

  it.for(WRITES)(
    '$name reports a change (another instance drops the authentications it cached)',
    async ({ prepare }, context) => {
      const { store } = use()
      const feed = store.changes
      if (feed === undefined) return context.skip()
      const write = await prepare(store)
      // Listening starts after the seed: what is heard from now on is the write's (or names no peer).
      const { changes, unsubscribe } = await listen(feed)
      try {
        expect(await write()).toBe(true)
        await vi.waitFor(
          () =>
            expect(changes).toContainEqual({
              type: 'changed',
              peerId: expect.toSatisfy((id: unknown) => id === 'peer-a' || id === null),
            }),
          REPORTED_WITHIN_MS,
        )
      } finally {
        unsubscribe()
      }
    },
  )
}
