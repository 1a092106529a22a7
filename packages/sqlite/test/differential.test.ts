// The memory store is the reference semantics: random sequences of operations (seeded, so runs repeat)
// go to a memory store and an SQLite store side by side, and every answer, every thrown error code, and
// the state left behind must be the same. This reaches corners the conformance suite names no case for
// (several currents, re-issued digests, limits that are not whole numbers, stale revisions everywhere).
import {
  type CredentialsStore,
  type GraceRule,
  memoryStore,
  OcpiError,
  type PeerRecord,
  type PeerState,
  type SealedToken,
  type TokenDigest,
  type TokenKind,
  type TokenRecord,
} from '@ocpi-credentials/core'
import { describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'

const T0 = 1_700_000_000_000
const IDS = ['p1', 'p2', 'p3', 'p10']
const DIGESTS = Array.from({ length: 14 }, (_, i) => `d${i.toString(16).padStart(63, '0')}` as TokenDigest)
const SEALED = ['s.a', 's.b', 's.c'] as SealedToken[]
const KINDS: TokenKind[] = [
  'invitation',
  'consumed-invitation',
  'pending-registration',
  'pending-rotation',
  'current',
  'previous',
]
const STATES: PeerState[] = ['invited', 'registering', 'registered', 'unregistered']

function generator(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  let created = 0
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(values: readonly T[]): T => values[int(values.length)] as T
  const chance = (p: number) => next() < p
  const time = () => T0 + int(12)
  const expiry = () => pick([null, T0 + 3, T0 + 6, T0 + 100])
  const token = (peerId: string, kind: TokenKind = pick(KINDS)): TokenRecord => ({
    digest: pick(DIGESTS),
    peerId: chance(0.9) ? peerId : pick(IDS),
    kind,
    // Distinct creation times: which of two currents is the newest is then never a tie.
    createdAt: T0 + ++created,
    expiresAt: kind === 'current' && chance(0.7) ? null : expiry(),
    supersedes: chance(0.2) ? pick(DIGESTS) : null,
    successor: chance(0.3) ? pick(SEALED) : null,
  })
  const peer = (id: string): PeerRecord => {
    const common = {
      id: chance(0.95) ? id : pick(IDS),
      revision: int(4),
      origin: 'invitation' as const,
      expectedParties: chance(0.5) ? [{ country_code: 'NL', party_id: 'EXA' }] : null,
      as: null,
      createdAt: T0,
      updatedAt: time(),
      lastContactAt: chance(0.5) ? null : time(),
    }
    switch (pick(STATES)) {
      case 'invited':
        return { ...common, state: 'invited', invitationExpiresAt: time() }
      case 'registering':
        return { ...common, state: 'registering', versionsUrl: 'https://p.example/v', version: '2.2.1' }
      case 'registered':
        return {
          ...common,
          state: 'registered',
          registeredAt: time(),
          link: {
            version: '2.2.1',
            versionsUrl: 'https://p.example/v',
            endpoints: [],
            parties: [],
            hubPartyId: null,
            outbound: pick(SEALED),
            encoding: 'raw',
          },
          ...(chance(0.3) ? { rotation: { digest: pick(DIGESTS), startedAt: time() } } : {}),
        }
      default:
        return { ...common, state: 'unregistered', link: null, unregisteredAt: time() }
    }
  }
  const grace = (): GraceRule | null =>
    chance(0.3)
      ? null
      : { expiresAt: pick([T0 + 4, T0 + 8, T0 + 50]), successor: chance(0.8) ? pick(SEALED) : null }
  return { int, pick, chance, time, token, peer, grace }
}

type Operation = ((store: CredentialsStore) => unknown) & { readonly label?: string }

const named = (label: string, operation: (store: CredentialsStore) => unknown): Operation =>
  Object.assign(operation, { label })

/** One random operation, with arguments drawn against the reference store's current revisions. */
async function randomOperation(
  g: ReturnType<typeof generator>,
  reference: CredentialsStore,
): Promise<Operation> {
  const id = g.pick(IDS)
  const stored = await reference.getPeer(id)
  const revision = (stored?.revision ?? 0) + (g.chance(0.8) ? 0 : g.pick([-1, 1]))
  // Mostly a token the peer holds, so that operations on tokens often have something to work on.
  const held = await reference.listTokens(id)
  const heldToken = held.length > 0 && g.chance(0.75) ? g.pick(held) : undefined
  const digest = heldToken?.digest ?? g.pick(DIGESTS)
  const tokens = (n: number, kind?: TokenKind) => Array.from({ length: g.int(n) }, () => g.token(id, kind))
  switch (g.int(16)) {
    case 0:
    case 1: {
      const [peer, list] = [g.peer(id), tokens(3)]
      return named('createPeer', (s) => s.createPeer(peer, list))
    }
    case 2: {
      const options = {
        ...(g.chance(0.5) ? { state: g.pick(STATES) } : {}),
        ...(g.chance(0.5) ? { after: g.pick([...IDS, 'p', 'p2x', '']) } : {}),
        ...(g.chance(0.5)
          ? { limit: g.pick([0, 1, 2, 1.5, -1, 1e20, Number.NaN, Number.POSITIVE_INFINITY]) }
          : {}),
      }
      return (s) => s.listPeers(options)
    }
    case 3:
      return (s) => s.findToken(digest)
    case 4:
      return async (s) => byDigest(await s.listTokens(id))
    case 5: {
      const next = g.peer(id)
      return named('casPeer', (s) => s.casPeer(id, revision, next))
    }
    case 6: {
      const token = g.token(id, g.pick(['pending-rotation', 'pending-registration', 'current']))
      return named('addToken', (s) => s.addToken(token))
    }
    case 7: {
      const args = {
        invitation: digest,
        revision,
        next: g.peer(id),
        issue: g.token(id, g.chance(0.9) ? 'current' : 'previous'),
        now: g.time(),
        ...(g.chance(0.5) ? { replayUntil: g.time() + 60 } : {}),
      }
      return named('consumeInvitation', (s) => s.consumeInvitation(args))
    }
    case 8:
    case 9: {
      const pendings = held.filter((t) => t.kind === 'pending-rotation' || t.kind === 'pending-registration')
      const pending = pendings.length > 0 && g.chance(0.8) ? g.pick(pendings).digest : digest
      const args = {
        peerId: id,
        revision,
        next: g.peer(id),
        token: g.chance(0.5) ? { pending } : { issue: g.token(id, g.chance(0.9) ? 'current' : 'previous') },
        grace: g.grace(),
        ...(g.chance(0.5) ? { graceFor: g.pick(['replaced', 'previous'] as const) } : {}),
        now: g.chance(0.5) ? T0 : g.time(),
      }
      return named(
        `commitToken ${'pending' in args.token ? 'pending' : 'issue'} ${args.graceFor ?? ''}`,
        (s) => s.commitToken(args),
      )
    }
    case 10:
      return named('abortToken', async (s) => {
        await s.abortToken(digest)
        return s.findToken(digest)
      })
    case 11:
      return named('retireSuperseded', async (s) => {
        await s.retireSuperseded(digest)
        return s.findToken(digest)
      })
    case 12: {
      const args = { peerId: id, revision, next: g.peer(id), ...(g.chance(0.6) ? { issue: tokens(3) } : {}) }
      return named('revokeTokens', (s) => s.revokeTokens(args))
    }
    case 13: {
      const at = g.time()
      return (s) => s.touchContact(id, at)
    }
    case 14: {
      const expected = heldToken?.successor != null && g.chance(0.7) ? heldToken.successor : g.pick(SEALED)
      const args = { digest, expected, next: g.pick(SEALED) }
      return named('replaceSuccessor', (s) => s.replaceSuccessor(args))
    }
    default: {
      const now = g.time()
      return named('purgeExpiredTokens', (s) => s.purgeExpiredTokens(now))
    }
  }
}

function byDigest(tokens: readonly TokenRecord[]): TokenRecord[] {
  return [...tokens].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0))
}

/** An answer, or the code of what was thrown. */
async function outcome(operation: Operation, store: CredentialsStore): Promise<unknown> {
  try {
    return { answer: await operation(store) }
  } catch (error) {
    return { thrown: error instanceof OcpiError ? error.code : String(error) }
  }
}

async function everything(store: CredentialsStore) {
  return {
    peers: await store.listPeers(),
    tokens: await Promise.all(IDS.map(async (id) => byDigest(await store.listTokens(id)))),
    byDigest: await Promise.all(DIGESTS.map((digest) => store.findToken(digest))),
  }
}

describe('sqliteStore answers like memoryStore', () => {
  /** How often each kind of write succeeded, over all seeds. */
  const wins = new Map<string, number>()
  for (const seed of Array.from({ length: 40 }, (_, i) => i + 1)) {
    it(`on random operations (seed ${seed})`, async () => {
      const g = generator(seed)
      const reference = memoryStore()
      const store = sqliteStore({ path: ':memory:', migrate: true })
      for (let step = 0; step < 300; step++) {
        const operation = await randomOperation(g, reference)
        const expected = await outcome(operation, reference)
        const actual = await outcome(operation, store)
        expect(actual, `step ${step}`).toEqual(expected)
        const answer = (expected as { answer?: unknown }).answer
        if (operation.label !== undefined && answer !== null && answer !== false && answer !== 0) {
          wins.set(operation.label, (wins.get(operation.label) ?? 0) + 1)
        }
      }
      expect(await everything(store)).toEqual(await everything(reference))
      store.close()
    })
  }

  it('exercised every kind of write, not only refusals', () => {
    for (const label of [
      'createPeer',
      'casPeer',
      'addToken',
      'consumeInvitation',
      'commitToken pending ',
      'commitToken pending previous',
      'commitToken issue replaced',
      'commitToken issue previous',
      'revokeTokens',
      'replaceSuccessor',
      'purgeExpiredTokens',
    ]) {
      expect(wins.get(label) ?? 0, label).toBeGreaterThanOrEqual(10)
    }
  })
})

describe('sqliteStore answers like memoryStore in corners random runs rarely reach', () => {
  const both = () => [memoryStore(), sqliteStore({ path: ':memory:', migrate: true })] as const
  const invited = (id: string): PeerRecord => ({
    id,
    revision: 0,
    origin: 'invitation',
    expectedParties: null,
    as: null,
    createdAt: T0,
    updatedAt: T0,
    lastContactAt: null,
    state: 'invited',
    invitationExpiresAt: T0 + 100,
  })
  const token = (
    peerId: string,
    kind: TokenKind,
    digest: TokenDigest,
    changes: Partial<TokenRecord> = {},
  ) => ({
    digest,
    peerId,
    kind,
    createdAt: T0,
    expiresAt: kind === 'current' ? null : T0 + 100,
    supersedes: null,
    successor: null,
    ...changes,
  })
  const [d1, d2] = DIGESTS as [TokenDigest, TokenDigest]

  it('consumeInvitation whose issued token reuses the invitation digest, with replayUntil', async () => {
    for (const store of both()) {
      await store.createPeer(invited('p1'), [token('p1', 'invitation', d1)])
      const issue = token('p1', 'current', d1)
      const args = { invitation: d1, revision: 0, next: invited('p1'), issue, now: T0, replayUntil: T0 + 50 }
      expect(await store.consumeInvitation(args)).toMatchObject({ revision: 1 })
      expect(await store.listTokens('p1')).toEqual([issue])
    }
  })

  it("retireSuperseded of a current whose supersedes names another peer's previous", async () => {
    for (const store of both()) {
      const foreign = token('p2', 'previous', d2)
      await store.createPeer(invited('p2'), [foreign])
      await store.createPeer(invited('p1'), [token('p1', 'current', d1, { supersedes: d2 })])
      await store.retireSuperseded(d1)
      expect(await store.findToken(d2)).toEqual(foreign)
      expect(await store.findToken(d1)).toMatchObject({ supersedes: null })
    }
  })
})
