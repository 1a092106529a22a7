import type { PeerRecord, TokenRecord } from '@ocpi-credentials/core'
import { describe, expect, it } from 'vitest'
import { expectConsistentTokens, winnersOf } from './checks.js'
import {
  HOUR,
  invitedPeer,
  MINUTE,
  registeredFrom,
  registeredPeer,
  sealed,
  T0,
  tokenOf,
  unregisteredFrom,
} from './fixtures.js'
import { type UseStore, yieldToEventLoop } from './harness.js'

/** Parallel attempts per race. */
const RACERS = 32

/**
 * Races: many parallel attempts at one atomic operation, while the store (through the harness's
 * `interleave`) yields between every read and write. Exactly one attempt wins, the others answer
 * `null` / `false`, and the raw state afterwards is that of the winner alone.
 *
 * @example
 * ```ts
 * describe('concurrency', () => concurrencyCases(useHarness(harness)))
 * ```
 */
export function concurrencyCases(use: UseStore): void {
  const now = T0 + MINUTE
  const range = (n: number) => Array.from({ length: n }, (_, i) => i)
  const only = (answers: readonly unknown[]): number => {
    const winners = winnersOf(answers)
    expect(winners).toHaveLength(1)
    return winners[0] ?? -1
  }

  /** peer-a registered at revision 0 with a current token. */
  const seedRegistered = async () => {
    const peer = registeredPeer('peer-a')
    const current = tokenOf('peer-a', 'current')
    expect(await use().store.createPeer(peer, [current])).toBe(true)
    return { peer, current }
  }

  it('createPeer with one id: exactly one creates it, with its own tokens only', async () => {
    const { store, raw } = use()
    const peers = range(RACERS).map((i) => invitedPeer('peer-a', { createdAt: T0 + i, updatedAt: T0 + i }))
    const tokens = range(RACERS).map(() => tokenOf('peer-a', 'invitation'))
    const answers = await Promise.all(
      range(RACERS).map(async (i) => store.createPeer(peers[i] as PeerRecord, [tokens[i] as TokenRecord])),
    )
    const w = only(answers)
    expect(await raw.peer('peer-a')).toEqual(peers[w])
    expect(await raw.tokensOf('peer-a')).toEqual([tokens[w]])
  })

  it('createPeer with one digest for different ids: exactly one peer is created', async () => {
    const { store, raw } = use()
    const digest = tokenOf('x', 'invitation').digest
    const answers = await Promise.all(
      range(RACERS).map(async (i) =>
        store.createPeer(invitedPeer(`peer-${i}`), [tokenOf(`peer-${i}`, 'invitation', { digest })]),
      ),
    )
    const w = only(answers)
    for (const i of range(RACERS))
      expect(await raw.peer(`peer-${i}`)).toEqual(i === w ? invitedPeer(`peer-${i}`) : null)
    expect(await raw.token(digest)).toMatchObject({ peerId: `peer-${w}` })
  })

  it('addToken with one digest: exactly one inserts it', async () => {
    const { store, raw } = use()
    await seedRegistered()
    const digest = tokenOf('x', 'pending-rotation').digest
    const tokens = range(RACERS).map((i) =>
      tokenOf('peer-a', 'pending-rotation', { digest, createdAt: T0 + i }),
    )
    const w = only(await Promise.all(tokens.map(async (token) => store.addToken(token))))
    expect(await raw.token(digest)).toEqual(tokens[w])
  })

  it('consumeInvitation of one invitation: exactly one registers, the others answer null', async () => {
    const { store, raw } = use()
    const peer = invitedPeer('peer-a')
    const invitation = tokenOf('peer-a', 'invitation', { expiresAt: now + HOUR })
    await store.createPeer(peer, [invitation])
    const attempts = range(RACERS).map((i) => ({
      invitation: invitation.digest,
      revision: 0,
      next: registeredFrom(peer, { updatedAt: now + i }),
      issue: tokenOf('peer-a', 'current', { createdAt: now + i }),
      now,
    }))
    const answers = await Promise.all(attempts.map(async (args) => store.consumeInvitation(args)))
    const w = only(answers)
    const winner = attempts[w]
    expect(answers[w]).toEqual({ ...winner?.next, revision: 1 })
    expect(await raw.peer('peer-a')).toEqual(answers[w])
    expect(await raw.token(invitation.digest)).toBeNull()
    expect(await raw.tokensOf('peer-a')).toEqual([winner?.issue])
    const { current } = await expectConsistentTokens(raw, 'peer-a')
    expect(current).toEqual(winner?.issue)
  })

  it('casPeer with one revision: exactly one swaps', async () => {
    const { store, raw } = use()
    const { peer } = await seedRegistered()
    const nexts = range(RACERS).map((i) => ({ ...peer, updatedAt: now + i }))
    const answers = await Promise.all(nexts.map(async (next) => store.casPeer('peer-a', 0, next)))
    const w = only(answers)
    expect(await raw.peer('peer-a')).toEqual({ ...nexts[w], revision: 1 })
  })

  it('commitToken with one revision, each promoting its own pending token: exactly one commits', async () => {
    const { store, raw } = use()
    const { peer, current } = await seedRegistered()
    const pendings = range(RACERS).map((i) => tokenOf('peer-a', 'pending-rotation', { createdAt: now + i }))
    for (const pending of pendings) expect(await store.addToken(pending)).toBe(true)
    const answers = await Promise.all(
      pendings.map(async (pending, i) =>
        store.commitToken({
          peerId: 'peer-a',
          revision: 0,
          next: { ...peer, updatedAt: now + i },
          token: { pending: pending.digest },
          grace: { expiresAt: now + 5 * MINUTE, successor: sealed(`racer-${i}`) },
          now,
        }),
      ),
    )
    const w = only(answers)
    expect(await raw.peer('peer-a')).toEqual({ ...peer, updatedAt: now + w, revision: 1 })
    const state = await expectConsistentTokens(raw, 'peer-a')
    expect(state.current?.digest).toBe(pendings[w]?.digest)
    expect(state.current?.supersedes).toBe(current.digest)
    expect(state.previous).toMatchObject({ digest: current.digest, successor: sealed(`racer-${w}`) })
    expect(state.all.filter((t) => t.kind === 'pending-rotation')).toHaveLength(RACERS - 1)
  })

  it('commitToken with one revision, each issuing a token without grace: one current remains', async () => {
    const { store, raw } = use()
    const { peer, current } = await seedRegistered()
    const issues = range(RACERS).map((i) => tokenOf('peer-a', 'current', { createdAt: now + i }))
    const answers = await Promise.all(
      issues.map(async (issue) =>
        store.commitToken({ peerId: 'peer-a', revision: 0, next: peer, token: { issue }, grace: null, now }),
      ),
    )
    const w = only(answers)
    expect(await raw.token(current.digest)).toBeNull()
    expect(await raw.tokensOf('peer-a')).toEqual([issues[w]])
  })

  describe('revokeTokens racing commitToken on one revision', () => {
    for (const first of ['revoke', 'commit'] as const) {
      it(`exactly one wins, and the tokens are the winner's alone (${first} called first)`, async () => {
        const { store, raw } = use()
        const { peer, current } = await seedRegistered()
        const offset = first === 'revoke' ? 0 : 1
        const attempts = range(RACERS).map((i) => {
          if ((i + offset) % 2 === 0) {
            const issue = tokenOf('peer-a', 'invitation', { createdAt: now + i, expiresAt: now + HOUR })
            const next = unregisteredFrom(peer, { updatedAt: now + i })
            return {
              issued: issue,
              run: async () => store.revokeTokens({ peerId: 'peer-a', revision: 0, next, issue: [issue] }),
            }
          }
          const issue = tokenOf('peer-a', 'current', { createdAt: now + i })
          const next = { ...peer, updatedAt: now + i }
          const grace = { expiresAt: now + 5 * MINUTE, successor: sealed(`racer-${i}`) }
          return {
            issued: issue,
            run: async () =>
              store.commitToken({ peerId: 'peer-a', revision: 0, next, token: { issue }, grace, now }),
          }
        })
        const answers = await Promise.all(attempts.map(async (attempt) => attempt.run()))
        const w = only(answers)
        const issued = attempts[w]?.issued as TokenRecord
        expect(await raw.peer('peer-a')).toEqual(answers[w])
        const state = await expectConsistentTokens(raw, 'peer-a')
        if (issued.kind === 'invitation') {
          expect((await raw.peer('peer-a'))?.state).toBe('unregistered')
          expect(state.all).toEqual([issued])
        } else {
          expect(state.current).toEqual({ ...issued, supersedes: current.digest })
          expect(state.previous?.digest).toBe(current.digest)
          expect(state.all).toHaveLength(2)
        }
      })
    }
  })

  it('touchContact racing casPeer: the swap still wins and the latest contact time is kept', async () => {
    const { store, raw } = use()
    const { peer } = await seedRegistered()
    const next = unregisteredFrom(peer, { updatedAt: now, lastContactAt: T0 + 1 })
    const touches = range(RACERS).map((i) => async () => {
      await store.touchContact('peer-a', T0 + 1_000 + i)
      return null
    })
    const middle = RACERS / 2
    const calls = [
      ...touches.slice(0, middle),
      async () => store.casPeer('peer-a', 0, next),
      ...touches.slice(middle),
    ]
    const answers = await Promise.all(calls.map(async (call) => call()))
    expect(winnersOf(answers)).toEqual([middle])
    expect(await raw.peer('peer-a')).toEqual({ ...next, revision: 1, lastContactAt: T0 + 1_000 + RACERS - 1 })
  })

  it('abortToken racing commitToken of the same pending token: never a commit of a deleted token', async () => {
    const { store, raw } = use()
    const { peer, current } = await seedRegistered()
    const pendings = range(RACERS).map(() => tokenOf('peer-a', 'pending-rotation'))
    for (const pending of pendings) await store.addToken(pending)
    // Each round: a commit and an abort of one pending token, in both call orders.
    let revision = 0
    let committed = 0
    for (const [i, pending] of pendings.entries()) {
      const commit = async () =>
        store.commitToken({
          peerId: 'peer-a',
          revision,
          next: peer,
          token: { pending: pending.digest },
          grace: null,
          now,
        })
      const abort = async () => {
        await store.abortToken(pending.digest)
        return null
      }
      const [a, b] = await Promise.all(i % 2 === 0 ? [commit(), abort()] : [abort(), commit()])
      const won = (i % 2 === 0 ? a : b) !== null
      const stored = await raw.token(pending.digest)
      if (won) {
        revision++
        committed++
        expect(stored).toMatchObject({ kind: 'current', expiresAt: null })
      } else expect(stored).toBeNull()
      expect((await raw.peer('peer-a'))?.revision).toBe(revision)
      await expectConsistentTokens(raw, 'peer-a')
    }
    const { current: last } = await expectConsistentTokens(raw, 'peer-a')
    if (committed === 0) expect(last).toEqual(current)
  })

  it('reads never see half of a commit', async () => {
    const { store, raw } = use()
    const { peer, current } = await seedRegistered()
    const pending = tokenOf('peer-a', 'pending-rotation')
    await store.addToken(pending)
    const grace = { expiresAt: now + 5 * MINUTE, successor: sealed('new') }
    // Readers start before the commit, then a few per event-loop turn, to land between its steps.
    const later = async <T>(turns: number, read: () => Promise<T>): Promise<T> => {
      for (let turn = 0; turn < turns; turn++) await yieldToEventLoop()
      return read()
    }
    const early = Promise.resolve(store.listTokens('peer-a'))
    const commit = Promise.resolve(
      store.commitToken({
        peerId: 'peer-a',
        revision: 0,
        next: peer,
        token: { pending: pending.digest },
        grace,
        now,
      }),
    )
    const lists = [
      early,
      ...range(4 * RACERS).map(async (i) => later(i >> 2, async () => store.listTokens('peer-a'))),
    ]
    const finds = range(4 * RACERS).map(async (i) =>
      later(i >> 2, async () => store.findToken(pending.digest)),
    )
    expect(await commit).not.toBeNull()
    const states = [
      { [current.digest]: 'current', [pending.digest]: 'pending-rotation' },
      { [current.digest]: 'previous', [pending.digest]: 'current' },
    ]
    for (const list of await Promise.all(lists)) {
      // Either the state before the commit or the state after it, nothing in between.
      expect(states).toContainEqual(Object.fromEntries(list.map((t) => [t.digest, t.kind])))
    }
    for (const found of await Promise.all(finds))
      expect(['pending-rotation', 'current']).toContain(found?.kind)
    await expectConsistentTokens(raw, 'peer-a')
  })
}
