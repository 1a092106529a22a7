import { isPendingKind, OcpiConfigError, OcpiError, type PeerRecord, pageLimit } from '@ocpi-credentials/core'
import { inProcessFeed } from './change-feed.js'
import { commitTokenSteps } from './commit-token.js'
import { checkSchema, migrate } from './migrate.js'
import { busyTimeoutOf, checkOptions, configureConnection, openDatabase } from './open-database.js'
import type { SqliteStore, SqliteStoreOptions } from './options.js'
import { peerFromRow, peerParams, peerUpdateParams, tokenFromRow, tokenParams } from './rows.js'
import { prepareStatements, type Statements } from './statements.js'
import { tableNamesOf } from './table-names.js'
import { IN_HOST_TRANSACTION, inHostTransaction, writeTransaction } from './transaction.js'

/** Arguments that contradict themselves are a bug of the caller, not a lost race: thrown. */
function check(condition: boolean, operation: string, message: string): void {
  if (!condition) throw new OcpiError('ERR_OCPI_STORE', `sqliteStore.${operation}: ${message}`)
}

/**
 * The SQLite `CredentialsStore` on Node's built-in `node:sqlite`: an embedded durable store for a
 * single-instance platform or local development. Opens the file (`path`) or works on the host's
 * connection (`database`), sets `busy_timeout`, `foreign_keys = ON` and WAL on it, optionally migrates,
 * and checks at start that the schema is exactly the one it needs (an `OcpiConfigError` says what to do
 * otherwise).
 *
 * Every operation that writes runs in one `BEGIN IMMEDIATE … COMMIT` transaction, rolled back when a
 * condition does not hold, so it is atomic against other connections and processes too; reads are single
 * statements. Issued tokens are stored as the digests the core hands over, received tokens sealed: the
 * store writes nothing else. Like the memory store, it throws an `OcpiError` (`ERR_OCPI_STORE`) for
 * contradictory arguments, writing nothing; failures of SQLite are thrown as `ERR_OCPI_STORE` too, with
 * the SQLite error as `cause`.
 *
 * @example
 * ```ts
 * import { createOcpi } from '@ocpi-credentials/core'
 * import { sqliteStore } from '@ocpi-credentials/sqlite'
 *
 * const store = sqliteStore({ path: '/var/lib/cpo/ocpi.db', migrate: true })
 * const ocpi = createOcpi({ ...options, store })
 * process.on('SIGTERM', () => {
 *   ocpi.close()
 *   store.close()
 * })
 * ```
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  checkOptions(options)
  const names = tableNamesOf(options.tablePrefix)
  const busyTimeoutMs = busyTimeoutOf(options.busyTimeoutMs)
  const { db, owned } = openDatabase(options)
  let statements: Statements
  try {
    configureConnection(db, busyTimeoutMs)
    if (options.migrate === true) migrate(db, { tablePrefix: names.prefix })
    checkSchema(db, names)
    statements = prepareStatements(db, names)
  } catch (error) {
    if (owned) db.close()
    if (error instanceof OcpiError) throw error
    const reason = error instanceof Error ? error.message : 'SQLite failed'
    throw new OcpiConfigError(`sqliteStore: cannot set up the database: ${reason}`, { cause: error })
  }
  const feed = inProcessFeed(db, names.prefix)
  const s = statements
  let closed = false

  /** Runs an operation: rejects once closed, wraps SQLite's failures, reports the write when it commits. */
  const run = async <T>(
    operation: string,
    work: () => T,
    wrote?: (result: T) => string | null | undefined,
  ): Promise<T> => {
    if (closed) throw new OcpiError('ERR_OCPI_STORE', `sqliteStore.${operation}: the store is closed`)
    if (inHostTransaction(db)) {
      throw new OcpiError(
        'ERR_OCPI_STORE',
        `sqliteStore.${operation}: ${IN_HOST_TRANSACTION}: the store works only between them, as its ` +
          'writes would join it and be undone by its ROLLBACK',
      )
    }
    let result: T
    try {
      result = work()
    } catch (error) {
      if (error instanceof OcpiError) throw error
      const reason = error instanceof Error ? error.message : 'SQLite failed'
      throw new OcpiError('ERR_OCPI_STORE', `sqliteStore.${operation}: ${reason}`, { cause: error })
    }
    const peerId = wrote?.(result)
    if (peerId !== undefined) feed.changed(peerId)
    return result
  }
  const transaction = <T>(work: () => T) => writeTransaction(db, work)
  /** Reports a write of `peerId` when the answer is a success. */
  const ofPeer = (peerId: string) => (result: unknown) =>
    result === null || result === false ? undefined : peerId
  const ofSomePeer = (result: boolean) => (result ? null : undefined)

  return {
    changes: feed,

    close() {
      if (closed) return
      closed = true
      if (owned) db.close()
    },

    createPeer: (peer, tokens) =>
      run(
        'createPeer',
        () => {
          for (const token of tokens)
            check(token.peerId === peer.id, 'createPeer', 'a token belongs to another peer')
          return transaction(() => {
            if (s.insertPeer.run(peerParams(peer)).changes === 0) return false
            for (const token of tokens) if (s.insertToken.run(tokenParams(token)).changes === 0) return false
            return true
          })
        },
        ofPeer(peer.id),
      ),

    getPeer: (id) =>
      run('getPeer', () => {
        const row = s.peer.get({ id })
        return row === undefined ? null : peerFromRow(row)
      }),

    listPeers: (options = {}) =>
      run('listPeers', () => {
        const limit = sqlLimit(options.limit)
        if (limit === 0) return []
        const { state, after } = options
        const statement =
          state === undefined
            ? after === undefined
              ? s.listPeers.all.all({ limit })
              : s.listPeers.after.all({ after, limit })
            : after === undefined
              ? s.listPeers.byState.all({ state, limit })
              : s.listPeers.byStateAfter.all({ state, after, limit })
        return statement.map(peerFromRow)
      }),

    findToken: (digest) =>
      run('findToken', () => {
        const row = s.token.get({ digest })
        return row === undefined ? null : tokenFromRow(row)
      }),

    listTokens: (peerId) => run('listTokens', () => s.tokensOf.all({ peer_id: peerId }).map(tokenFromRow)),

    casPeer: (id, revision, next) =>
      run(
        'casPeer',
        () => {
          check(next.id === id, 'casPeer', 'the record is not that of the peer named')
          return transaction(() => updatePeer(s, next, revision))
        },
        ofPeer(id),
      ),

    addToken: (token) =>
      run(
        'addToken',
        () => {
          check(isPendingKind(token.kind), 'addToken', 'only pending tokens are added')
          check(token.expiresAt !== null, 'addToken', 'a pending token must expire')
          return transaction(() => s.insertTokenOfPeer.run(tokenParams(token)).changes === 1)
        },
        ofPeer(token.peerId),
      ),

    consumeInvitation: ({ invitation, revision, next, issue, now, replayUntil }) =>
      run(
        'consumeInvitation',
        () => {
          check(issue.peerId === next.id, 'consumeInvitation', 'the issued token belongs to another peer')
          check(issue.kind === 'current', 'consumeInvitation', 'the issued token must be current')
          return transaction(() => {
            const where = { digest: invitation, peer_id: next.id, now }
            // Kept as consumed-invitation until replayUntil, unless the issued token takes its digest.
            const taken =
              replayUntil === undefined || issue.digest === invitation
                ? s.deleteInvitation.run(where)
                : s.markInvitationConsumed.run({ ...where, until: replayUntil })
            if (taken.changes === 0) return null
            const record = updatePeer(s, next, revision)
            if (record === null) return null
            if (s.insertToken.run(tokenParams(issue)).changes === 0) return null
            return record
          })
        },
        ofPeer(next.id),
      ),

    commitToken: (args) =>
      run(
        'commitToken',
        () => {
          const { peerId, next, token } = args
          check(next.id === peerId, 'commitToken', 'the record is not that of the peer named')
          if ('issue' in token) {
            check(token.issue.peerId === peerId, 'commitToken', 'the issued token belongs to another peer')
            check(token.issue.kind === 'current', 'commitToken', 'the issued token must be current')
          }
          return transaction(() => commitTokenSteps(s, args))
        },
        ofPeer(args.peerId),
      ),

    abortToken: (digest) =>
      run('abortToken', () => s.deletePending.run({ digest }).changes > 0, ofSomePeer).then(() => undefined),

    retireSuperseded: (digest) =>
      run(
        'retireSuperseded',
        () =>
          transaction(() => {
            const row = s.token.get({ digest })
            const current = row === undefined ? null : tokenFromRow(row)
            if (current === null || current.kind !== 'current' || current.supersedes === null) return false
            const supersededRow = s.token.get({ digest: current.supersedes })
            const superseded = supersededRow === undefined ? null : tokenFromRow(supersededRow)
            if (
              superseded !== null &&
              superseded.kind === 'previous' &&
              superseded.peerId === current.peerId
            ) {
              s.deleteToken.run({ digest: superseded.digest })
            }
            s.updateToken.run({
              digest,
              kind: current.kind,
              expires_at: current.expiresAt,
              supersedes: null,
              successor: current.successor,
            })
            return true
          }),
        ofSomePeer,
      ).then(() => undefined),

    revokeTokens: ({ peerId, revision, next, issue = [] }) =>
      run(
        'revokeTokens',
        () => {
          check(next.id === peerId, 'revokeTokens', 'the record is not that of the peer named')
          for (const t of issue)
            check(t.peerId === peerId, 'revokeTokens', 'an issued token belongs to another peer')
          return transaction(() => {
            const stored = s.peer.get({ id: peerId })
            if (stored === undefined || stored['revision'] !== revision) return null
            s.deleteTokensOf.run({ peer_id: peerId })
            // A digest taken by another peer, or issued twice, inserts nothing: rolled back.
            for (const t of issue) if (s.insertToken.run(tokenParams(t)).changes === 0) return null
            return updatePeer(s, next, revision)
          })
        },
        ofPeer(peerId),
      ),

    // Not reported as a change: contact times play no part in authentication.
    touchContact: (id, at) =>
      run('touchContact', () => {
        s.touchContact.run({ id, at })
      }),

    replaceSuccessor: ({ digest, expected, next }) =>
      run(
        'replaceSuccessor',
        () => s.replaceSuccessor.run({ digest, expected, next }).changes === 1,
        ofSomePeer,
      ),

    acquireLease: ({ name, holder, until, now }) =>
      run(
        'acquireLease',
        () =>
          // Not a change to tokens or records: nothing for the change feed.
          s.acquireLease.run({ name, holder, until, now }).changes === 1,
      ),

    purgeExpiredTokens: (now) =>
      run(
        'purgeExpiredTokens',
        () => transaction(() => Number(s.purgeExpired.run({ now }).changes)),
        (purged) => (purged > 0 ? null : undefined),
      ),
  }
}

/** The revision-checked write of a peer record: the stored record, or `null` when the revision is stale. */
function updatePeer(s: Statements, next: PeerRecord, revision: number): PeerRecord | null {
  const [row] = s.updatePeer.all(peerUpdateParams(next, revision))
  return row === undefined ? null : peerFromRow(row)
}

/** `limit` as SQLite's `LIMIT`: -1 is unlimited there. */
function sqlLimit(limit: number | undefined): number {
  return pageLimit(limit) ?? -1
}
