import { OcpiError } from '../errors.js'
import type { PeerRecord, TokenDigest } from '../model.js'
import { isPendingKind, planTokenCommit, promotedPending } from './commit-plan.js'
import { pageLimit } from './page-limit.js'
import type { CredentialsStore, StoreChange, TokenRecord } from './types.js'

/**
 * The raw storage behind {@link memoryStore}: two maps, keyed by peer id and by token digest. Stored
 * values are frozen. Tests read them directly to check what a store wrote; only stores write to them.
 * Several stores given the same backing behave like several instances sharing one database: they share
 * one lock and one index.
 *
 * @example
 * ```ts
 * const backing = createMemoryBacking()
 * const store = memoryStore({ backing })
 * await store.createPeer(peer, [invitation])
 * backing.tokens.get(invitation.digest)?.kind // 'invitation'
 * ```
 */
export interface MemoryBacking {
  readonly peers: Map<string, PeerRecord>
  readonly tokens: Map<TokenDigest, TokenRecord>
  /** Leases by name ({@link CredentialsStore.acquireLease}). */
  readonly leases: Map<string, { readonly holder: string; readonly until: number }>
}

/**
 * Options of {@link memoryStore}.
 *
 * @example
 * ```ts
 * const store = memoryStore({ backing, interleave: () => new Promise((resolve) => setImmediate(resolve)) })
 * ```
 */
export interface MemoryStoreOptions {
  /** The maps to keep data in (default: fresh ones). */
  readonly backing?: MemoryBacking
  /**
   * Awaited after every single read and write of the backing maps, inside every operation. The
   * conformance suite passes a function that yields to the event loop, so that atomicity is tested
   * against real interleaving. Default: none.
   */
  readonly interleave?: () => Promise<void>
}

/**
 * Fresh, empty maps for {@link memoryStore}.
 *
 * @example
 * ```ts
 * const backing = createMemoryBacking()
 * const store = memoryStore({ backing })
 * ```
 */
export function createMemoryBacking(): MemoryBacking {
  return { peers: new Map(), tokens: new Map(), leases: new Map() }
}

/** What all stores sharing one backing share besides the maps. */
interface Shared {
  /** Runs a task once every task queued before it has settled: one lock over the whole backing. */
  readonly exclusive: <T>(task: () => Promise<T>) => Promise<T>
  /** Peer id → digests of its tokens, so that a peer's tokens are found without a scan. */
  // A small array, not a Set: a peer holds a handful of tokens, and a Set costs several times the memory.
  readonly digestsByPeer: Map<string, TokenDigest[]>
  /** Peer ids in ascending order (peers are never deleted) … */
  sortedIds: string[]
  /** … and the ids created since `sortedIds` was last sorted. */
  newIds: string[]
  /** The change feed's listeners, of every store on this backing. */
  readonly listeners: Set<(change: StoreChange) => void>
}

const sharedByBacking = new WeakMap<MemoryBacking, Shared>()

function sharedOf(backing: MemoryBacking): Shared {
  const known = sharedByBacking.get(backing)
  if (known !== undefined) return known
  let tail: Promise<unknown> = Promise.resolve()
  const shared: Shared = {
    exclusive: (task) => {
      const result = tail.then(task)
      tail = result.catch(() => undefined)
      return result
    },
    digestsByPeer: new Map(),
    sortedIds: [...backing.peers.keys()].sort(),
    newIds: [],
    listeners: new Set(),
  }
  // A backing handed over with data: freeze what it holds and index its tokens.
  for (const [id, peer] of backing.peers) if (!Object.isFrozen(peer)) backing.peers.set(id, ownCopy(peer))
  for (const [digest, token] of backing.tokens) {
    if (!Object.isFrozen(token)) backing.tokens.set(digest, Object.freeze({ ...token }))
    indexToken(shared, token)
  }
  sharedByBacking.set(backing, shared)
  return shared
}

function indexToken(shared: Shared, token: TokenRecord): void {
  const digests = shared.digestsByPeer.get(token.peerId)
  if (digests === undefined) shared.digestsByPeer.set(token.peerId, [token.digest])
  else if (!digests.includes(token.digest)) digests.push(token.digest)
}

function unindexToken(shared: Shared, token: TokenRecord): void {
  const digests = shared.digestsByPeer.get(token.peerId)
  if (digests === undefined) return
  const index = digests.indexOf(token.digest)
  if (index >= 0) digests.splice(index, 1)
  if (digests.length === 0) shared.digestsByPeer.delete(token.peerId)
}

/**
 * A deep copy that nobody else holds, frozen: what the store keeps of a caller's record. Records are
 * plain data (objects, arrays, strings, numbers, null), copied and frozen in one pass: `structuredClone`
 * costs about five times more on a record with ten endpoints, and runs on every write. Anything else (a
 * `Date`, a `Map`, a class instance) goes through `structuredClone`, as before.
 */
function ownCopy<T>(value: T): T {
  // A function or a symbol is no data: structuredClone refuses it (DataCloneError), as it always did.
  if (typeof value === 'function' || typeof value === 'symbol') return structuredClone(value)
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return Object.freeze(value.map(ownCopy)) as T
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return deepFreeze(structuredClone(value))
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const child = ownCopy((value as Record<string, unknown>)[key])
    // An own `__proto__` key (JSON.parse makes one) stays a property, not the copy's prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: child, enumerable: true })
    else copy[key] = child
  }
  return Object.freeze(copy) as T
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

/** The later of two contact times, `null` meaning "never". */
function later(a: number | null, b: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  return Math.max(a, b)
}

/** Live at `now`: an expiry strictly after `now` (a token with no expiry here is treated as dead). */
function liveAt(token: TokenRecord, now: number): boolean {
  return token.expiresAt !== null && token.expiresAt > now
}

/** Index of the first id strictly greater than `after` in ascending `ids`. */
function firstAfter(ids: readonly string[], after: string): number {
  let low = 0
  let high = ids.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if ((ids[mid] ?? '') <= after) low = mid + 1
    else high = mid
  }
  return low
}

/** Arguments that contradict themselves are a bug of the caller, not a lost race: thrown. */
function check(condition: boolean, operation: string, message: string): void {
  if (!condition) throw new OcpiError('ERR_OCPI_STORE', `memoryStore.${operation}: ${message}`)
}

/**
 * The in-memory {@link CredentialsStore}: for tests, examples and single-process deployments that can
 * lose their data on restart. Every operation runs under one lock over the backing (shared by all stores
 * on that backing), so operations are atomic whatever the interleaving, and reads never see half of a
 * write. Records are stored as frozen copies and returned as they are stored: callers cannot change
 * stored state through them. A peer's tokens are found through an index (peer id → digests), never by
 * scanning. Beyond the contract, it throws an `OcpiError` (`ERR_OCPI_STORE`) for contradictory arguments
 * (a record whose id is not the peer's, a token of another peer, `addToken` of a non-pending token or one
 * without expiry, an `issue` that is not `current`), writing nothing.
 *
 * @example
 * ```ts
 * const store = memoryStore()
 * await store.createPeer(invitedPeer, [invitationToken])
 * const registered = await store.consumeInvitation({ invitation, revision: 0, next, issue: current, now: Date.now() })
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): CredentialsStore {
  const backing = options.backing ?? createMemoryBacking()
  const shared = sharedOf(backing)
  const { exclusive, digestsByPeer } = shared
  const interleave = options.interleave
  const pause = async (): Promise<void> => {
    if (interleave !== undefined) await interleave()
  }

  // Every access to the maps goes through these, each followed by the interleave hook.
  const readPeer = async (id: string): Promise<PeerRecord | null> => {
    const peer = backing.peers.get(id) ?? null
    await pause()
    return peer
  }
  const readToken = async (digest: TokenDigest): Promise<TokenRecord | null> => {
    const token = backing.tokens.get(digest) ?? null
    await pause()
    return token
  }
  const readTokensOf = async (peerId: string): Promise<TokenRecord[]> => {
    const records: TokenRecord[] = []
    for (const digest of [...(digestsByPeer.get(peerId) ?? [])]) {
      const token = await readToken(digest)
      if (token !== null && token.peerId === peerId) records.push(token)
    }
    return records
  }
  const writePeer = async (peer: PeerRecord): Promise<void> => {
    backing.peers.set(peer.id, peer)
    await pause()
  }
  const writeToken = async (token: TokenRecord): Promise<void> => {
    const stored = Object.freeze({ ...token })
    backing.tokens.set(stored.digest, stored)
    indexToken(shared, stored)
    await pause()
  }
  const deleteToken = async (token: TokenRecord): Promise<void> => {
    backing.tokens.delete(token.digest)
    unindexToken(shared, token)
    await pause()
  }
  /** Reports a committed write to every store on this backing (like a database's change feed). */
  const changed = <T>(peerId: string | null, result: T): T => {
    if (result !== null && result !== false && result !== 0) {
      for (const listener of [...shared.listeners]) {
        try {
          listener({ type: 'changed', peerId })
        } catch {
          // A listener's failure is its own: the write has committed and is reported as done.
        }
      }
    }
    return result
  }
  /** `next` as stored by a revision-checked write: revision + 1, the later contact time kept. */
  const successorOf = (stored: PeerRecord, next: PeerRecord): PeerRecord =>
    ownCopy({
      ...next,
      revision: stored.revision + 1,
      lastContactAt: later(stored.lastContactAt, next.lastContactAt),
    })

  return {
    createPeer: (peer, tokens) =>
      exclusive(async () => {
        for (const token of tokens)
          check(token.peerId === peer.id, 'createPeer', 'a token belongs to another peer')
        if ((await readPeer(peer.id)) !== null) return false
        const digests = new Set<TokenDigest>()
        for (const token of tokens) {
          if (digests.has(token.digest) || (await readToken(token.digest)) !== null) return false
          digests.add(token.digest)
        }
        await writePeer(ownCopy(peer))
        shared.newIds.push(peer.id)
        for (const token of tokens) await writeToken(token)
        return true
      }).then((result) => changed(peer.id, result)),

    getPeer: (id) => exclusive(() => readPeer(id)),

    listPeers: (options = {}) =>
      exclusive(async () => {
        if (shared.newIds.length > 0) {
          // Sorted run + short unsorted tail: the engine's merge sort makes this about linear.
          shared.sortedIds = shared.sortedIds.concat(shared.newIds).sort()
          shared.newIds = []
        }
        const ids = shared.sortedIds
        const limit = pageLimit(options.limit) ?? Number.POSITIVE_INFINITY
        const page: PeerRecord[] = []
        for (let i = options.after === undefined ? 0 : firstAfter(ids, options.after); i < ids.length; i++) {
          if (page.length >= limit) break
          const peer = await readPeer(ids[i] ?? '')
          if (peer !== null && (options.state === undefined || peer.state === options.state)) page.push(peer)
        }
        return page
      }),

    findToken: (digest) => exclusive(() => readToken(digest)),

    listTokens: (peerId) => exclusive(() => readTokensOf(peerId)),

    casPeer: (id, revision, next) =>
      exclusive(async () => {
        check(next.id === id, 'casPeer', `the record is not that of peer ${id}`)
        const stored = await readPeer(id)
        if (stored === null || stored.revision !== revision) return null
        const record = successorOf(stored, next)
        await writePeer(record)
        return record
      }).then((result) => changed(id, result)),

    addToken: (token) =>
      exclusive(async () => {
        check(isPendingKind(token.kind), 'addToken', 'only pending tokens are added')
        check(token.expiresAt !== null, 'addToken', 'a pending token must expire')
        if ((await readPeer(token.peerId)) === null) return false
        if ((await readToken(token.digest)) !== null) return false
        await writeToken(token)
        return true
      }).then((result) => changed(token.peerId, result)),

    consumeInvitation: ({ invitation, revision, next, issue, now, replayUntil }) =>
      exclusive(async () => {
        check(issue.peerId === next.id, 'consumeInvitation', 'the issued token belongs to another peer')
        check(issue.kind === 'current', 'consumeInvitation', 'the issued token must be current')
        const token = await readToken(invitation)
        if (
          token === null ||
          token.kind !== 'invitation' ||
          token.peerId !== next.id ||
          !liveAt(token, now)
        ) {
          return null
        }
        const stored = await readPeer(next.id)
        if (stored === null || stored.revision !== revision) return null
        if (issue.digest !== invitation && (await readToken(issue.digest)) !== null) return null
        if (replayUntil === undefined) await deleteToken(token)
        else await writeToken({ ...token, kind: 'consumed-invitation', expiresAt: replayUntil })
        await writeToken(issue)
        const record = successorOf(stored, next)
        await writePeer(record)
        return record
      }).then((result) => changed(next.id, result)),

    commitToken: ({ peerId, revision, next, token, grace, graceFor, now }) =>
      exclusive(async () => {
        check(next.id === peerId, 'commitToken', `the record is not that of peer ${peerId}`)
        if ('issue' in token) {
          check(token.issue.peerId === peerId, 'commitToken', 'the issued token belongs to another peer')
          check(token.issue.kind === 'current', 'commitToken', 'the issued token must be current')
        }
        const stored = await readPeer(peerId)
        if (stored === null || stored.revision !== revision) return null
        let incoming: TokenRecord
        if ('pending' in token) {
          const promoted = promotedPending(await readToken(token.pending), peerId, now)
          if (promoted === null) return null
          incoming = promoted
        } else {
          if ((await readToken(token.issue.digest)) !== null) return null
          incoming = token.issue
        }
        const held = await readTokensOf(peerId)
        const plan = planTokenCommit(held, incoming, { grace, graceFor })
        for (const t of held) if (plan.remove.includes(t.digest)) await deleteToken(t)
        if (plan.previous !== null) await writeToken(plan.previous)
        await writeToken(plan.current)
        const record = successorOf(stored, next)
        await writePeer(record)
        return record
      }).then((result) => changed(peerId, result)),

    abortToken: (digest) =>
      exclusive(async () => {
        const token = await readToken(digest)
        if (token !== null && isPendingKind(token.kind)) await deleteToken(token)
      }).then((result) => changed(null, result)),

    retireSuperseded: (digest) =>
      exclusive(async () => {
        const current = await readToken(digest)
        if (current === null || current.kind !== 'current' || current.supersedes === null) return
        const superseded = await readToken(current.supersedes)
        if (superseded !== null && superseded.kind === 'previous' && superseded.peerId === current.peerId) {
          await deleteToken(superseded)
        }
        await writeToken({ ...current, supersedes: null })
      }).then((result) => changed(null, result)),

    revokeTokens: ({ peerId, revision, next, issue = [] }) =>
      exclusive(async () => {
        check(next.id === peerId, 'revokeTokens', `the record is not that of peer ${peerId}`)
        for (const t of issue)
          check(t.peerId === peerId, 'revokeTokens', 'an issued token belongs to another peer')
        const stored = await readPeer(peerId)
        if (stored === null || stored.revision !== revision) return null
        const held = await readTokensOf(peerId)
        const deleted = new Set(held.map((t) => t.digest))
        const issued = new Set<TokenDigest>()
        for (const t of issue) {
          if (issued.has(t.digest)) return null
          if (!deleted.has(t.digest) && (await readToken(t.digest)) !== null) return null
          issued.add(t.digest)
        }
        for (const t of held) await deleteToken(t)
        for (const t of issue) await writeToken(t)
        const record = successorOf(stored, next)
        await writePeer(record)
        return record
      }).then((result) => changed(peerId, result)),

    touchContact: (id, at) =>
      exclusive(async () => {
        const stored = await readPeer(id)
        if (stored === null || (stored.lastContactAt !== null && stored.lastContactAt >= at)) return
        // The nested values are frozen and shared with the record replaced: no second copy is kept.
        await writePeer(Object.freeze({ ...stored, lastContactAt: at }))
      }),

    replaceSuccessor: ({ digest, expected, next }) =>
      exclusive(async () => {
        const token = await readToken(digest)
        if (token === null || token.successor !== expected) return false
        await writeToken({ ...token, successor: next })
        return true
      }).then((result) => changed(null, result)),

    acquireLease: ({ name, holder, until, now }) =>
      exclusive(async () => {
        const held = backing.leases.get(name)
        await pause()
        if (held !== undefined && held.until > now && held.holder !== holder) return false
        backing.leases.set(name, Object.freeze({ holder, until }))
        await pause()
        return true
      }),

    purgeExpiredTokens: (now) =>
      exclusive(async () => {
        const all = [...backing.tokens.values()]
        await pause()
        let purged = 0
        for (const token of all) {
          if (token.expiresAt !== null && token.expiresAt < now) {
            await deleteToken(token)
            purged++
          }
        }
        return purged
      }).then((result) => changed(null, result)),

    changes: {
      subscribe(listener) {
        // A distinct wrapper per subscription, so the same function may subscribe twice.
        const entry = (change: StoreChange) => listener(change)
        shared.listeners.add(entry)
        return () => {
          shared.listeners.delete(entry)
        }
      },
    },
  }
}
