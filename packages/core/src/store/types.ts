import type { PeerRecord, PeerState, SealedToken, TokenDigest } from '../model.js'

/**
 * A value or a promise of it: stores may answer synchronously (memory) or asynchronously (SQL).
 *
 * @example
 * ```ts
 * const peer = await store.getPeer(id) // works for both
 * ```
 */
export type Awaitable<T> = T | Promise<T>

/**
 * What an issued token is for:
 * - `invitation`: a TOKEN_A; valid on versions, version details and credentials only; single use.
 * - `consumed-invitation`: a TOKEN_A just used by a registration, kept for a short window so that the
 *   same sender can replay its POST when our answer was lost; valid for nothing else.
 * - `pending-registration`: the token we send in our own registration POST; valid for the peer's callback
 *   discovery (versions, version details, and GET credentials) until the POST commits or aborts.
 * - `pending-rotation`: the token we send in a rotation PUT; valid from the moment it is sent.
 * - `current`: the token a registered peer uses.
 * - `previous`: the token a rotation replaced, valid during the grace window.
 *
 * @example
 * ```ts
 * const kind: TokenKind = 'current'
 * ```
 */
export type TokenKind =
  | 'invitation'
  | 'consumed-invitation'
  | 'pending-registration'
  | 'pending-rotation'
  | 'current'
  | 'previous'

/**
 * An issued token as stored: only its SHA-256 digest, never the token. `digest` is unique across the
 * store. Times are milliseconds since the epoch.
 *
 * @example
 * ```ts
 * const record: TokenRecord = { digest, peerId, kind: 'invitation', createdAt: now, expiresAt: now + week, supersedes: null, successor: null }
 * ```
 */
export interface TokenRecord {
  readonly digest: TokenDigest
  readonly peerId: string
  readonly kind: TokenKind
  readonly createdAt: number
  /**
   * When the token stops working; `null` only for `current`. Invitation, pending and previous tokens
   * always expire, so a crash between persisting a pending token and sending it leaves nothing live.
   */
  readonly expiresAt: number | null
  /**
   * On a `current` token that replaced another: the digest of the `previous` token it superseded. The
   * peer's first use of this token proves it saved it, and retires the superseded one
   * ({@link CredentialsStore.retireSuperseded}). `null` otherwise.
   */
  readonly supersedes: TokenDigest | null
  /**
   * On a `previous` token replaced by the peer's own PUT: the current token sealed, so that a GET
   * credentials made with the previous token during the grace window can be answered with the current
   * one (the peer may have lost our answer). `null` after a rotation we started (the peer has the new
   * token already). Dies with the previous token.
   */
  readonly successor: SealedToken | null
}

/**
 * How a commit treats the `current` token it replaces.
 *
 * @example
 * ```ts
 * const grace: GraceRule = { expiresAt: now + 5 * 60_000, successor: sealedNewToken }
 * ```
 */
export interface GraceRule {
  /** When the replaced token (now `previous`) stops working. */
  readonly expiresAt: number
  /** The new current token, sealed (see {@link TokenRecord.successor}). */
  readonly successor: SealedToken | null
}

/**
 * Arguments of {@link CredentialsStore.consumeInvitation}.
 *
 * @example
 * ```ts
 * await store.consumeInvitation({ invitation: digestA, revision: peer.revision, next, issue: tokenC, now })
 * ```
 */
export interface ConsumeInvitation {
  /** The digest of the TOKEN_A being consumed. */
  readonly invitation: TokenDigest
  /** The revision of the invited peer record that the caller read. */
  readonly revision: number
  /** The registered record to store (its `revision` is ignored: the store writes `revision + 1`). */
  readonly next: PeerRecord
  /** The `current` token issued to the peer. */
  readonly issue: TokenRecord
  /** The invitation must not have expired at this time. */
  readonly now: number
  /**
   * When given, the invitation token is not deleted but kept as `consumed-invitation` expiring at this
   * time (in the same atomic step), so a replay of the registration POST can be recognised.
   */
  readonly replayUntil?: number
}

/**
 * Arguments of {@link CredentialsStore.commitToken}.
 *
 * @example
 * ```ts
 * await store.commitToken({ peerId, revision, next, token: { pending: digestB }, grace: null, now })
 * ```
 */
export interface CommitToken {
  readonly peerId: string
  readonly revision: number
  /** The record to store (the store writes `revision + 1`). */
  readonly next: PeerRecord
  /**
   * The token that becomes `current`: a pending token of this peer promoted (it must exist and not have
   * expired), or a new token inserted.
   */
  readonly token: { readonly pending: TokenDigest } | { readonly issue: TokenRecord }
  /**
   * What happens to the token that was `current`: `null` deletes it at once; a {@link GraceRule} keeps it
   * as `previous` until `expiresAt`. Any older `previous` token of the peer is deleted either way: at most
   * one `previous` token per peer.
   */
  readonly grace: GraceRule | null
  /**
   * Which token the grace applies to. `'replaced'` (default): the replaced `current` becomes `previous`
   * as described above. `'previous'`: a retry made with the `previous` token (the peer never received the
   * `current` one): the replaced `current` is deleted, the existing `previous` stays `previous` with
   * `expiresAt` = the earlier of its own and `grace.expiresAt` and `successor` = `grace.successor`, and the
   * new current supersedes it. With no `previous` token, `'previous'` behaves as `'replaced'` with `grace` null.
   */
  readonly graceFor?: 'replaced' | 'previous'
  /** Pending tokens must not have expired at this time. */
  readonly now: number
}

/**
 * Arguments of {@link CredentialsStore.revokeTokens}.
 *
 * @example
 * ```ts
 * await store.revokeTokens({ peerId, revision, next: unregisteredRecord })
 * ```
 */
export interface RevokeTokens {
  readonly peerId: string
  readonly revision: number
  readonly next: PeerRecord
  /** Tokens to insert in the same step (e.g. a fresh invitation after a breach). */
  readonly issue?: readonly TokenRecord[]
}

/**
 * Arguments of {@link CredentialsStore.replaceSuccessor}.
 *
 * @example
 * ```ts
 * await store.replaceSuccessor({ digest, expected: token.successor, next: await sealer.seal(plain) })
 * ```
 */
export interface ReplaceSuccessor {
  /** The token record whose `successor` is replaced. */
  readonly digest: TokenDigest
  /** The sealed value the caller read; nothing is written unless it is still the stored one. */
  readonly expected: SealedToken
  /** The same token sealed again (under the newest sealing key). */
  readonly next: SealedToken
}

/**
 * Arguments of {@link CredentialsStore.acquireLease}.
 *
 * @example
 * ```ts
 * await store.acquireLease({ name: `probe:${peerId}`, holder: instanceId, until: now + 60_000, now })
 * ```
 */
export interface AcquireLease {
  /** What the lease is for, e.g. `probe:<peer id>` or `rotate:<peer id>`. */
  readonly name: string
  /** Who takes it: an id unique to the instance (and stable while it runs). */
  readonly holder: string
  /** When the lease lapses if not renewed. */
  readonly until: number
  /** A lease whose `until` is not after `now` has lapsed. */
  readonly now: number
}

/**
 * What a {@link StoreChangeFeed} reports:
 * - `changed`: some instance committed a write to tokens or peer records (`peerId` when known);
 * - `disconnected`: the feed may have missed changes from now on (its connection was lost);
 * - `connected`: the feed works (again); changes made while it was down were not reported.
 *
 * @example
 * ```ts
 * const change: StoreChange = { type: 'changed', peerId: 'peer-1' }
 * ```
 */
export type StoreChange =
  | { readonly type: 'changed'; readonly peerId: string | null }
  | { readonly type: 'disconnected' }
  | { readonly type: 'connected' }

/**
 * Changes committed by every instance sharing a store's backing storage (PostgreSQL `LISTEN/NOTIFY`,
 * for one). The core follows it to drop cached authentications as soon as another instance revokes or
 * rotates a token, instead of waiting for the cache's time to live; while the feed is disconnected
 * nothing is cached at all.
 *
 * @example
 * ```ts
 * const unsubscribe = store.changes?.subscribe((change) => console.log(change.type))
 * ```
 */
export interface StoreChangeFeed {
  /**
   * Calls `listener` for every change from now on; returns the unsubscribe function. A feed whose
   * connection is not (yet) established reports `disconnected` to a new listener at once.
   */
  subscribe(listener: (change: StoreChange) => void): () => void
}

/**
 * Options of {@link CredentialsStore.listPeers}: keyset pagination over peer ids.
 *
 * @example
 * ```ts
 * await store.listPeers({ state: 'registered', after: lastId, limit: 100 })
 * ```
 */
export interface ListPeersOptions {
  readonly state?: PeerState
  /** Only ids greater than this (ids compare as strings). */
  readonly after?: string
  /** At most this many; a fraction rounds up, zero or less gives none; absent, NaN or Infinity: no limit. */
  readonly limit?: number
}

/**
 * The storage contract: a handful of domain operations over peer records and issued tokens. The core
 * holds every decision; a store only keeps data and makes the named operations atomic.
 *
 * Race semantics are stated on each operation. "Atomic" means: against concurrent invocations (from this
 * process or another instance sharing the backing database) either every effect of the call is visible
 * or none is, and at most one of several racing callers succeeds. Implementations must not rely on the
 * JavaScript event loop for this: the conformance suite (`runStoreConformance` in
 * `@ocpi-credentials/testing`) makes the backing storage yield between every read and write.
 *
 * Failures of the backing storage are thrown (the core maps them to OCPI 3000); "not found" and "lost a
 * race" are answered with `null` or `false`, never thrown.
 *
 * @example
 * ```ts
 * const ocpi = createOcpi({ ...options, store: memoryStore() })
 * ```
 */
export interface CredentialsStore {
  /**
   * Inserts a new peer and its first tokens, all or nothing. Returns `false`, writing nothing, when the
   * id or any digest exists already.
   * SQL: one transaction of `INSERT`s, or `INSERT … ON CONFLICT DO NOTHING` and a rollback on conflict.
   */
  createPeer(peer: PeerRecord, tokens: readonly TokenRecord[]): Awaitable<boolean>

  /** The peer record, or `null`. SQL: a primary-key read. */
  getPeer(id: string): Awaitable<PeerRecord | null>

  /** Peers ordered by id, optionally of one state, keyset-paginated. */
  listPeers(options?: ListPeersOptions): Awaitable<readonly PeerRecord[]>

  /**
   * The token record for a digest, or `null`. One indexed read (the digest is the key); expired records
   * may be returned: the core checks `expiresAt`.
   * SQL: `SELECT … FROM tokens WHERE digest = $1` on a unique index.
   */
  findToken(digest: TokenDigest): Awaitable<TokenRecord | null>

  /** Every token record of a peer (any kind, expired included). */
  listTokens(peerId: string): Awaitable<readonly TokenRecord[]>

  /**
   * Compare-and-swap of a peer record: when the stored revision equals `revision`, stores `next` with
   * revision `revision + 1` and `updatedAt` as given, and returns the stored record; otherwise returns
   * `null` and writes nothing. Of concurrent callers with the same `revision`, exactly one wins.
   * `lastContactAt` is kept from the stored record when it is later than `next.lastContactAt` (on every
   * revision-checked write: this one, `consumeInvitation`, `commitToken` and `revokeTokens`), so that a
   * concurrent {@link CredentialsStore.touchContact} is never undone.
   * SQL: `UPDATE peers SET … , revision = revision + 1 WHERE id = $1 AND revision = $2 RETURNING *`.
   */
  casPeer(id: string, revision: number, next: PeerRecord): Awaitable<PeerRecord | null>

  /**
   * Inserts one token for an existing peer (a pending token, which must have an `expiresAt`). Returns
   * `false` when the digest exists or the peer does not. Not tied to the peer's revision.
   * SQL: `INSERT … ON CONFLICT DO NOTHING` with a foreign key on the peer.
   */
  addToken(token: TokenRecord): Awaitable<boolean>

  /**
   * Consumes an invitation and commits the registration, atomically: when the invitation token exists,
   * is of kind `invitation`, belongs to `next.id`, has not expired at `now`, and the peer's revision is
   * `revision`, then the invitation token is deleted (or kept as `consumed-invitation` until
   * `replayUntil`), `issue` is inserted and `next` stored (revision + 1),
   * and the stored record is returned. Otherwise returns `null` and writes nothing. Of concurrent callers
   * consuming one invitation, exactly one receives the record; the others receive `null`.
   * SQL: one transaction: `DELETE FROM tokens WHERE digest = $1 AND kind = 'invitation' AND expires_at > $now
   * RETURNING peer_id` (with `replayUntil`: `UPDATE tokens SET kind = 'consumed-invitation', expires_at =
   * $replayUntil WHERE …` instead), then the conditional `UPDATE peers … WHERE revision = $n`, then the
   * `INSERT`; roll back unless both matched one row.
   */
  consumeInvitation(args: ConsumeInvitation): Awaitable<PeerRecord | null>

  /**
   * Commits a token change with the record, atomically: when the peer's revision is `revision` (and the
   * pending token, if named, exists for this peer, is pending and unexpired), the token becomes `current`,
   * the replaced `current` follows `grace`, any older `previous` is deleted, the new current records the
   * replaced token in `supersedes`, and `next` is stored (revision + 1). Returns the stored record, or
   * `null` writing nothing. Of concurrent callers with the same revision, exactly one wins.
   * SQL: one transaction around the conditional `UPDATE peers … WHERE revision = $n RETURNING *`.
   */
  commitToken(args: CommitToken): Awaitable<PeerRecord | null>

  /**
   * Deletes a pending token (an aborted registration or rotation). Idempotent; other kinds are left alone.
   * SQL: `DELETE FROM tokens WHERE digest = $1 AND kind LIKE 'pending-%'`.
   */
  abortToken(digest: TokenDigest): Awaitable<void>

  /**
   * Ends a grace window early: deletes the `previous` token that the given `current` token supersedes and
   * clears its `supersedes`. Idempotent; does not touch the peer's revision.
   */
  retireSuperseded(digest: TokenDigest): Awaitable<void>

  /**
   * Deletes every token of the peer and stores `next` (revision + 1), atomically, when the peer's revision
   * is `revision`; inserts `issue` in the same step. Returns the stored record or `null` writing nothing.
   * SQL: one transaction: conditional `UPDATE … RETURNING`, `DELETE FROM tokens WHERE peer_id = $1`, `INSERT`s.
   */
  revokeTokens(args: RevokeTokens): Awaitable<PeerRecord | null>

  /**
   * Records contact with the peer at `at` (keeps the later of stored and given) without changing the
   * revision, so that traffic never makes a concurrent compare-and-swap fail. No-op for an unknown peer.
   * SQL: `UPDATE peers SET last_contact_at = GREATEST(last_contact_at, $2) WHERE id = $1`.
   */
  touchContact(id: string, at: number): Awaitable<void>

  /**
   * Compare-and-swap of a token's sealed `successor` (re-sealing under a new key): when the token exists
   * and its `successor` equals `expected`, stores `next` and returns `true`; otherwise returns `false`
   * writing nothing. Does not touch the peer's revision.
   * SQL: `UPDATE tokens SET successor = $3 WHERE digest = $1 AND successor = $2`.
   */
  replaceSuccessor(args: ReplaceSuccessor): Awaitable<boolean>

  /**
   * Takes or renews a named lease, so that of several instances only one does a periodic job for a peer
   * (a liveness probe, a scheduled rotation): when no lease of that name exists, or it lapsed (`until <=
   * now`), or `holder` already holds it, stores `{ holder, until }` and returns `true`; otherwise returns
   * `false` writing nothing. Of concurrent callers taking one free lease, exactly one wins. Leases are
   * never released: they lapse.
   * SQL: `INSERT INTO leases … ON CONFLICT (name) DO UPDATE SET holder = $2, until = $3 WHERE
   * leases.until <= $now OR leases.holder = $2 RETURNING name`.
   */
  acquireLease(args: AcquireLease): Awaitable<boolean>

  /** Deletes token records that expired before `now`; returns how many. Housekeeping only. */
  purgeExpiredTokens(now: number): Awaitable<number>

  /**
   * Optional: the changes committed by any instance sharing this store's storage. A store shared by
   * several instances should offer it; see {@link StoreChangeFeed}.
   */
  readonly changes?: StoreChangeFeed
}
