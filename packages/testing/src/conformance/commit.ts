import type { CommitToken, GraceRule, TokenRecord } from '@ocpi-credentials/core'
import { describe, expect, it } from 'vitest'
import { refused, snapshot } from './checks.js'
import {
  byDigest,
  HOUR,
  invitedPeer,
  MINUTE,
  registeredFrom,
  registeredPeer,
  registeringPeer,
  sealed,
  T0,
  tokenOf,
} from './fixtures.js'
import type { UseStore } from './harness.js'

/**
 * Cases of `commitToken`.
 *
 * @example
 * ```ts
 * describe('commitToken', () => commitCases(useHarness(harness)))
 * ```
 */
export function commitCases(use: UseStore): void {
  const now = T0 + MINUTE
  const grace = (label: string): GraceRule => ({ expiresAt: now + 5 * MINUTE, successor: sealed(label) })

  /** peer-a registered at revision 3 with a current token and a pending rotation; peer-b with a pending. */
  const seed = async () => {
    const { store } = use()
    const peer = registeredPeer('peer-a', { revision: 3 })
    const current = tokenOf('peer-a', 'current')
    const pending = tokenOf('peer-a', 'pending-rotation', { createdAt: now, expiresAt: now + HOUR })
    const foreign = tokenOf('peer-b', 'pending-rotation', { expiresAt: now + HOUR })
    expect(await store.createPeer(peer, [current, pending])).toBe(true)
    expect(await store.createPeer(registeredPeer('peer-b'), [foreign])).toBe(true)
    const next = { ...peer, updatedAt: now }
    const args = (changes: Partial<CommitToken> = {}): CommitToken => ({
      peerId: 'peer-a',
      revision: 3,
      next,
      token: { pending: pending.digest },
      grace: null,
      now,
      ...changes,
    })
    return { peer, current, pending, foreign, next, args }
  }
  const promoted = (pending: TokenRecord, supersedes: TokenRecord | null): TokenRecord => ({
    ...pending,
    kind: 'current',
    expiresAt: null,
    supersedes: supersedes?.digest ?? null,
  })
  const unchanged = async (operation: () => Promise<void>) => {
    const { raw } = use()
    const before = await snapshot(raw, ['peer-a', 'peer-b'])
    await operation()
    expect(await snapshot(raw, ['peer-a', 'peer-b'])).toEqual(before)
  }

  it('promotes a pending token to current (no expiry), deletes the replaced one without grace', async () => {
    const { store, raw } = use()
    const { current, pending, next, args } = await seed()
    const stored = await store.commitToken(args())
    expect(stored).toEqual({ ...next, revision: 4 })
    expect(await raw.peer('peer-a')).toEqual(stored)
    expect(await raw.token(current.digest)).toBeNull()
    expect(await raw.tokensOf('peer-a')).toEqual([promoted(pending, null)])
  })

  it('promotes a first registration: no token to replace', async () => {
    const { store, raw } = use()
    const peer = registeringPeer('peer-c')
    const pending = tokenOf('peer-c', 'pending-registration', { expiresAt: now + HOUR })
    await store.createPeer(peer, [pending])
    const next = registeredFrom(peer, { updatedAt: now })
    const stored = await store.commitToken({
      peerId: 'peer-c',
      revision: 0,
      next,
      token: { pending: pending.digest },
      grace: grace('first'),
      now,
    })
    expect(stored).toEqual({ ...next, revision: 1 })
    expect(await raw.tokensOf('peer-c')).toEqual([promoted(pending, null)])
  })

  it('keeps the replaced current as previous under a grace rule, and records it in supersedes', async () => {
    const { store, raw } = use()
    const { current, pending, args } = await seed()
    expect(await store.commitToken(args({ grace: grace('after-first') }))).not.toBeNull()
    const previous = {
      ...current,
      kind: 'previous',
      expiresAt: now + 5 * MINUTE,
      successor: sealed('after-first'),
    }
    expect(await raw.token(current.digest)).toEqual(previous)
    expect(await raw.token(pending.digest)).toEqual(promoted(pending, current))
    expect(await raw.tokensOf('peer-a')).toHaveLength(2)
  })

  it('inserts an issued token as current', async () => {
    const { store, raw } = use()
    const { current, pending, args } = await seed()
    const issue = tokenOf('peer-a', 'current', { createdAt: now })
    expect(await store.commitToken(args({ token: { issue }, grace: grace('issued') }))).not.toBeNull()
    expect(await raw.token(issue.digest)).toEqual({ ...issue, supersedes: current.digest })
    expect(await raw.token(current.digest)).toMatchObject({ kind: 'previous', successor: sealed('issued') })
    expect(await raw.token(pending.digest)).toEqual(pending)
  })

  it('a second commit under grace drops the older previous: at most one previous', async () => {
    const { store, raw } = use()
    const { current, pending, args } = await seed()
    await store.commitToken(args({ grace: grace('first') }))
    const second = tokenOf('peer-a', 'pending-rotation', { createdAt: now, expiresAt: now + HOUR })
    expect(await store.addToken(second)).toBe(true)
    const stored = await store.commitToken(
      args({ revision: 4, token: { pending: second.digest }, grace: grace('second') }),
    )
    expect(stored?.revision).toBe(5)
    expect(await raw.token(current.digest)).toBeNull()
    expect(byDigest(await raw.tokensOf('peer-a'))).toEqual(
      byDigest([
        {
          ...promoted(pending, null),
          kind: 'previous',
          expiresAt: now + 5 * MINUTE,
          successor: sealed('second'),
        },
        promoted(second, pending),
      ]),
    )
  })

  it('a commit without grace deletes the replaced current and any previous', async () => {
    const { store, raw } = use()
    const { args } = await seed()
    await store.commitToken(args({ grace: grace('first') }))
    const issue = tokenOf('peer-a', 'current', { createdAt: now })
    expect(await store.commitToken(args({ revision: 4, token: { issue }, grace: null }))).not.toBeNull()
    expect(await raw.tokensOf('peer-a')).toEqual([issue])
  })

  it("graceFor 'previous' (a retry made with the previous token): the undelivered current dies, the previous keeps the earlier expiry", async () => {
    const { store, raw } = use()
    const { current, pending, args } = await seed()
    await store.commitToken(args({ grace: grace('first') }))
    // current is now previous (expires now + 5 min); pending is the undelivered current.
    const issue = tokenOf('peer-a', 'current', { createdAt: now })
    const later: GraceRule = { expiresAt: now + 10 * MINUTE, successor: sealed('retry') }
    const stored = await store.commitToken(
      args({ revision: 4, token: { issue }, grace: later, graceFor: 'previous' }),
    )
    expect(stored?.revision).toBe(5)
    expect(await raw.token(pending.digest)).toBeNull()
    expect(byDigest(await raw.tokensOf('peer-a'))).toEqual(
      byDigest([
        {
          ...current,
          kind: 'previous',
          expiresAt: now + 5 * MINUTE,
          supersedes: null,
          successor: sealed('retry'),
        },
        { ...issue, supersedes: current.digest },
      ]),
    )
  })

  it("graceFor 'previous' without a previous token deletes the replaced current", async () => {
    const { store, raw } = use()
    const { current, args } = await seed()
    const issue = tokenOf('peer-a', 'current', { createdAt: now })
    expect(
      await store.commitToken(args({ token: { issue }, grace: grace('x'), graceFor: 'previous' })),
    ).not.toBeNull()
    expect(await raw.token(current.digest)).toBeNull()
    expect((await raw.tokensOf('peer-a')).filter((t) => t.kind !== 'pending-rotation')).toEqual([
      { ...issue, supersedes: null },
    ])
  })

  it('writes revision + 1 whatever next.revision says', async () => {
    const { store, raw } = use()
    const { next, args } = await seed()
    await store.commitToken(args({ next: { ...next, revision: 99 } }))
    expect((await raw.peer('peer-a'))?.revision).toBe(4)
  })

  describe('answers null and writes nothing', () => {
    it('when the revision is not the stored one', async () => {
      const { store } = use()
      const { args } = await seed()
      await unchanged(async () =>
        expect(await store.commitToken(args({ revision: 2, grace: grace('x') }))).toBeNull(),
      )
      await unchanged(async () => expect(await store.commitToken(args({ revision: 4 }))).toBeNull())
    })

    it('for an unknown peer', async () => {
      const { store, raw } = use()
      const { next } = await seed()
      const issue = tokenOf('peer-x', 'current')
      const args = {
        peerId: 'peer-x',
        revision: 0,
        next: { ...next, id: 'peer-x' },
        token: { issue },
        grace: null,
        now,
      }
      await unchanged(async () => expect(await store.commitToken(args)).toBeNull())
      expect(await raw.peer('peer-x')).toBeNull()
      expect(await raw.token(issue.digest)).toBeNull()
    })

    it('for an unknown pending digest', async () => {
      const { store } = use()
      const { args } = await seed()
      const unknown = tokenOf('peer-a', 'pending-rotation').digest
      await unchanged(async () =>
        expect(await store.commitToken(args({ token: { pending: unknown } }))).toBeNull(),
      )
    })

    it("for another peer's pending token", async () => {
      const { store } = use()
      const { foreign, args } = await seed()
      await unchanged(async () =>
        expect(await store.commitToken(args({ token: { pending: foreign.digest } }))).toBeNull(),
      )
    })

    it('for a named token that is not pending', async () => {
      const { store, raw } = use()
      const { current, args } = await seed()
      await unchanged(async () =>
        expect(await store.commitToken(args({ token: { pending: current.digest } }))).toBeNull(),
      )
      const peer = invitedPeer('peer-c')
      const invitation = tokenOf('peer-c', 'invitation', { expiresAt: now + HOUR })
      await store.createPeer(peer, [invitation])
      const before = await snapshot(raw, ['peer-c'])
      const named = { ...args(), peerId: 'peer-c', revision: 0, next: registeredFrom(peer) }
      expect(await store.commitToken({ ...named, token: { pending: invitation.digest } })).toBeNull()
      expect(await snapshot(raw, ['peer-c'])).toEqual(before)
    })

    it('once the pending token has expired: at expiresAt and after', async () => {
      const { store } = use()
      const { pending, args } = await seed()
      const at = pending.expiresAt ?? 0
      await unchanged(async () => expect(await store.commitToken(args({ now: at }))).toBeNull())
      await unchanged(async () => expect(await store.commitToken(args({ now: at + 1 }))).toBeNull())
    })

    it('when the issued digest exists already (or refuses it)', async () => {
      const { store } = use()
      const { foreign, args } = await seed()
      const issue = tokenOf('peer-a', 'current', { digest: foreign.digest })
      await unchanged(async () =>
        expect(await refused(() => store.commitToken(args({ token: { issue } })))).toBe(true),
      )
    })
  })

  it('accepts the pending token until the last millisecond before expiresAt', async () => {
    const { store, raw } = use()
    const { pending, args } = await seed()
    expect(await store.commitToken(args({ now: (pending.expiresAt ?? 0) - 1 }))).not.toBeNull()
    expect(await raw.token(pending.digest)).toMatchObject({ kind: 'current', expiresAt: null })
  })
}
