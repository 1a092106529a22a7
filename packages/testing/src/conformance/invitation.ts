import type { ConsumeInvitation } from '@ocpi-credentials/core'
import { expect, it } from 'vitest'
import { refused, snapshot } from './checks.js'
import { HOUR, invitedPeer, registeredFrom, T0, tokenOf } from './fixtures.js'
import type { UseStore } from './harness.js'

/**
 * Cases of `consumeInvitation`.
 *
 * @example
 * ```ts
 * describe('consumeInvitation', () => invitationCases(useHarness(harness)))
 * ```
 */
export function invitationCases(use: UseStore): void {
  const expiresAt = T0 + HOUR

  /** peer-a invited at revision 2 with an invitation and a pending token; peer-b invited too. */
  const seed = async () => {
    const { store } = use()
    const peer = invitedPeer('peer-a', { revision: 2 })
    const invitation = tokenOf('peer-a', 'invitation', { expiresAt })
    const pending = tokenOf('peer-a', 'pending-registration')
    const otherInvitation = tokenOf('peer-b', 'invitation', { expiresAt })
    expect(await store.createPeer(peer, [invitation, pending])).toBe(true)
    expect(await store.createPeer(invitedPeer('peer-b'), [otherInvitation])).toBe(true)
    const args: ConsumeInvitation = {
      invitation: invitation.digest,
      revision: 2,
      next: registeredFrom(peer, { updatedAt: T0 + 1 }),
      issue: tokenOf('peer-a', 'current', { createdAt: T0 + 1 }),
      now: T0 + 1,
    }
    return { peer, invitation, pending, otherInvitation, args }
  }
  const unchanged = async (operation: () => Promise<void>) => {
    const { raw } = use()
    const before = await snapshot(raw, ['peer-a', 'peer-b'])
    await operation()
    expect(await snapshot(raw, ['peer-a', 'peer-b'])).toEqual(before)
  }

  it('deletes the invitation, inserts the issued token and stores next at revision + 1', async () => {
    const { store, raw } = use()
    const { invitation, pending, args } = await seed()
    const stored = await store.consumeInvitation(args)
    expect(stored).toEqual({ ...args.next, revision: 3 })
    expect(await raw.peer('peer-a')).toEqual(stored)
    expect(await raw.token(invitation.digest)).toBeNull()
    expect(await raw.token(args.issue.digest)).toEqual(args.issue)
    expect(await raw.tokensOf('peer-a')).toHaveLength(2)
    expect(await raw.token(pending.digest)).toEqual(pending)
  })

  it('with replayUntil keeps the invitation as consumed-invitation until then, in the same step', async () => {
    const { store, raw } = use()
    const { invitation, args } = await seed()
    const stored = await store.consumeInvitation({ ...args, replayUntil: T0 + 120_000 })
    expect(stored?.revision).toBe(3)
    expect(await raw.token(invitation.digest)).toEqual({
      ...invitation,
      kind: 'consumed-invitation',
      expiresAt: T0 + 120_000,
    })
    // A consumed invitation is not an invitation: it cannot be consumed again.
    const again = { ...args, revision: 3, issue: tokenOf('peer-a', 'current') }
    await unchanged(async () => expect(await store.consumeInvitation(again)).toBeNull())
  })

  it('writes revision + 1 whatever next.revision says', async () => {
    const { store, raw } = use()
    const { args } = await seed()
    await store.consumeInvitation({ ...args, next: { ...args.next, revision: 40 } })
    expect((await raw.peer('peer-a'))?.revision).toBe(3)
  })

  it('is single use: consuming the same invitation again answers null and writes nothing', async () => {
    const { store, raw } = use()
    const { args } = await seed()
    expect(await store.consumeInvitation(args)).not.toBeNull()
    const again = { ...args, revision: 3, issue: tokenOf('peer-a', 'current') }
    await unchanged(async () => expect(await store.consumeInvitation(again)).toBeNull())
    expect(await raw.token(again.issue.digest)).toBeNull()
  })

  it('answers null and writes nothing for an unknown digest', async () => {
    const { store } = use()
    const { args } = await seed()
    const unknown = { ...args, invitation: tokenOf('peer-a', 'invitation').digest }
    await unchanged(async () => expect(await store.consumeInvitation(unknown)).toBeNull())
  })

  it('answers null and writes nothing for a token that is not an invitation', async () => {
    const { store } = use()
    const { pending, args } = await seed()
    await unchanged(async () =>
      expect(await store.consumeInvitation({ ...args, invitation: pending.digest })).toBeNull(),
    )
  })

  it("answers null and writes nothing for another peer's invitation", async () => {
    const { store } = use()
    const { otherInvitation, args } = await seed()
    const foreign = { ...args, invitation: otherInvitation.digest }
    await unchanged(async () => expect(await store.consumeInvitation(foreign)).toBeNull())
  })

  it('answers null and writes nothing when the revision is not the stored one', async () => {
    const { store } = use()
    const { args } = await seed()
    await unchanged(async () => expect(await store.consumeInvitation({ ...args, revision: 1 })).toBeNull())
    await unchanged(async () => expect(await store.consumeInvitation({ ...args, revision: 3 })).toBeNull())
  })

  it('answers null and writes nothing once the invitation has expired: at expiresAt and after', async () => {
    const { store } = use()
    const { args } = await seed()
    await unchanged(async () => expect(await store.consumeInvitation({ ...args, now: expiresAt })).toBeNull())
    await unchanged(async () =>
      expect(await store.consumeInvitation({ ...args, now: expiresAt + 1 })).toBeNull(),
    )
  })

  it('accepts the invitation until the last millisecond before expiresAt', async () => {
    const { store, raw } = use()
    const { invitation, args } = await seed()
    expect(await store.consumeInvitation({ ...args, now: expiresAt - 1 })).not.toBeNull()
    expect(await raw.token(invitation.digest)).toBeNull()
  })

  it('does not commit when the issued digest exists already, and writes nothing', async () => {
    const { store } = use()
    const { otherInvitation, args } = await seed()
    const clash = { ...args, issue: tokenOf('peer-a', 'current', { digest: otherInvitation.digest }) }
    await unchanged(async () => expect(await refused(() => store.consumeInvitation(clash))).toBe(true))
  })
}
