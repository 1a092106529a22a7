import {
  type CredentialsStore,
  isPendingKind,
  OcpiError,
  type PeerRecord,
  pageLimit,
  planTokenCommit,
  promotedPending,
  type TokenRecord,
} from '@ocpi-credentials/core'
import type { Pool } from 'pg'
import { type ChangeFeedOptions, createChangeFeed, type PostgresChangeFeed } from './change-feed.js'
import { SCHEMA_VERSION } from './migrations.js'
import { namesOf, type TableLocation } from './names.js'
import {
  PEER_COLUMNS,
  type PeerRow,
  peerFromRow,
  peerParams,
  TOKEN_COLUMNS,
  type TokenRow,
  tokenArrays,
  tokenFromRow,
  UNNEST_TOKENS,
} from './rows.js'
import { checkPool, type Query, statement, transact } from './transaction.js'

/**
 * Options of {@link postgresStore}.
 *
 * @example
 * ```ts
 * const store = postgresStore(pool, { schema: 'roaming', listen: true })
 * ```
 */
export interface PostgresStoreOptions extends TableLocation {
  /**
   * Follow the changes of every instance sharing the tables (`LISTEN`), so that each instance's
   * authentication cache drops a revoked or rotated token at once. Holds one connection of the pool for
   * the store's lifetime; call {@link PostgresStore.close} to give it back. Default: `false`.
   */
  readonly listen?: boolean | ChangeFeedOptions
}

/**
 * The PostgreSQL {@link CredentialsStore}, with `close()` for the connection its change feed holds.
 *
 * @example
 * ```ts
 * const store: PostgresStore = postgresStore(pool, { listen: true })
 * await store.close()
 * ```
 */
export interface PostgresStore extends CredentialsStore {
  /** Stops following changes and releases the feed's connection; the pool stays the host's to end. */
  close(): Promise<void>
}

const PENDING = "('pending-registration', 'pending-rotation')"

/**
 * PostgreSQL's text cannot hold U+0000, which no id the SDK makes holds: a key with one names nothing, and
 * is answered as unknown (as the other stores do) instead of being sent to fail.
 */
const namesNothing = (key: string): boolean => key.includes('\u0000')

/**
 * `after` for SQL: cut at its first U+0000. Among strings without one (every stored id), those greater
 * than `a\u0000…` are exactly those greater than `a`.
 */
const afterForSql = (after: string | undefined): string | null => {
  if (after === undefined) return null
  const nul = after.indexOf('\u0000')
  return nul === -1 ? after : after.slice(0, nul)
}

/** Arguments that contradict themselves are a bug of the caller, not a lost race: thrown. */
function check(condition: boolean, operation: string, message: string): void {
  if (!condition) throw new OcpiError('ERR_OCPI_STORE', `postgresStore.${operation}: ${message}`)
}

/**
 * A {@link CredentialsStore} over PostgreSQL, for platforms that restart and run several instances.
 * It takes the host's `pg` `Pool` (the host ends it; a `Client` is refused) and works in tables that
 * {@link migrate} creates.
 * Every atomic operation of the contract is native: a conditional `UPDATE … WHERE revision = $n
 * RETURNING` or a `DELETE … RETURNING` decides each race, inside one transaction where a step needs
 * several statements, so instances sharing the database never disagree. A token lookup is one read on
 * the tokens table's primary key. Every write notifies the other instances (`pg_notify`, delivered on
 * commit); with `listen`, this store follows those notifications too ({@link CredentialsStore.changes}).
 * The first operation checks that the tables are at this package's schema version.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { createOcpi } from '@ocpi-credentials/core'
 * import { migrate, postgresStore } from '@ocpi-credentials/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'] })
 * await migrate(pool)
 * const store = postgresStore(pool, { listen: true })
 * const ocpi = createOcpi({ ...options, store, authCacheTtlMs: 30_000 })
 * ```
 */
export function postgresStore(pool: Pool, options: PostgresStoreOptions = {}): PostgresStore {
  checkPool(pool, 'postgresStore')
  const n = namesOf(options)
  const ch = n.channel

  let schemaChecked: Promise<void> | undefined
  // The remedy names the location this store was given, so that following it migrates these tables.
  const location = [
    ...(options.schema === undefined ? [] : [`schema: '${options.schema}'`]),
    ...(options.tablePrefix === undefined ? [] : [`tablePrefix: '${options.tablePrefix}'`]),
  ]
  const migrateOptions = location.length === 0 ? '' : `, { ${location.join(', ')} }`
  /** Checked once, before the first operation (and again after a failed check). */
  const ready = (): Promise<void> => {
    schemaChecked ??= (async () => {
      let version: number
      try {
        const rows = await pool.query<{ version: number | null }>(
          `SELECT max(version) AS version FROM ${n.migrations}`,
        )
        version = rows.rows[0]?.version ?? 0
      } catch (error) {
        if ((error as { code?: unknown }).code !== '42P01') throw error // undefined_table
        version = 0
      }
      if (version < SCHEMA_VERSION) {
        throw new OcpiError(
          'ERR_OCPI_STORE',
          `the tables are at schema version ${version}, this package needs ${SCHEMA_VERSION}: run migrate(pool${migrateOptions}) first`,
        )
      }
      if (version > SCHEMA_VERSION) {
        throw new OcpiError(
          'ERR_OCPI_STORE',
          `the tables are at schema version ${version}, newer than this package (${SCHEMA_VERSION}): upgrade it`,
        )
      }
    })().catch((error: unknown) => {
      schemaChecked = undefined
      throw error
    })
    return schemaChecked
  }
  const query: Query = async (text, values) => {
    await ready()
    return statement(pool, text, values)
  }
  const inTransaction = async <T>(work: (q: Query) => Promise<T>): Promise<T> => {
    await ready()
    return transact(pool, work)
  }

  /** The conditional write every revision-checked operation starts with; it locks the peer's row. */
  const casRow = async (
    q: Query,
    id: string,
    revision: number,
    next: PeerRecord,
  ): Promise<PeerRecord | null> => {
    if (namesNothing(id)) return null
    const [, state, , updatedAt, lastContactAt, record] = peerParams(next)
    const rows = await q<PeerRow>(
      `UPDATE ${n.peers} SET state = $3, revision = revision + 1, updated_at = $4,
         last_contact_at = GREATEST(last_contact_at, $5), record = $6
       WHERE id = $1 AND revision = $2
       RETURNING ${PEER_COLUMNS}, pg_notify('${ch}', id)`,
      [id, revision, state, updatedAt, lastContactAt, record],
    )
    const row = rows[0]
    return row === undefined ? null : peerFromRow(row)
  }
  /** Inserts tokens; true when every one was new. */
  const insertTokens = async (q: Query, tokens: readonly TokenRecord[]): Promise<boolean> => {
    if (tokens.length === 0) return true
    const rows = await q(
      `INSERT INTO ${n.tokens} (${TOKEN_COLUMNS}) ${UNNEST_TOKENS} ON CONFLICT (digest) DO NOTHING RETURNING digest`,
      tokenArrays(tokens),
    )
    return rows.length === tokens.length
  }
  const tokensOf = async (q: Query, peerId: string, lock: boolean): Promise<TokenRecord[]> =>
    (
      await q<TokenRow>(
        `SELECT ${TOKEN_COLUMNS} FROM ${n.tokens} WHERE peer_id = $1 ORDER BY digest${lock ? ' FOR UPDATE' : ''}`,
        [peerId],
      )
    ).map(tokenFromRow)

  const feed: PostgresChangeFeed | undefined =
    options.listen === undefined || options.listen === false
      ? undefined
      : createChangeFeed(pool, ch, options.listen === true ? {} : options.listen)

  return {
    createPeer: async (peer, tokens) => {
      for (const token of tokens)
        check(token.peerId === peer.id, 'createPeer', 'a token belongs to another peer')
      return inTransaction(async (q) => {
        const inserted = await q(
          `INSERT INTO ${n.peers} (${PEER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO NOTHING RETURNING pg_notify('${ch}', id)`,
          peerParams(peer),
        )
        return inserted.length === 1 && (await insertTokens(q, tokens))
      })
    },

    getPeer: async (id) => {
      if (namesNothing(id)) return null
      const rows = await query<PeerRow>(`SELECT ${PEER_COLUMNS} FROM ${n.peers} WHERE id = $1`, [id])
      const row = rows[0]
      return row === undefined ? null : peerFromRow(row)
    },

    listPeers: async ({ state, after, limit } = {}) => {
      const pageSize = pageLimit(limit)
      if (pageSize === 0) return []
      const rows = await query<PeerRow>(
        `SELECT ${PEER_COLUMNS} FROM ${n.peers}
         WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR id > $2)
         ORDER BY id LIMIT $3`,
        [state ?? null, afterForSql(after), pageSize],
      )
      return rows.map(peerFromRow)
    },

    findToken: async (digest) => {
      const rows = await query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM ${n.tokens} WHERE digest = $1`, [
        digest,
      ])
      const row = rows[0]
      return row === undefined ? null : tokenFromRow(row)
    },

    listTokens: async (peerId) => (namesNothing(peerId) ? [] : tokensOf(query, peerId, false)),

    casPeer: async (id, revision, next) => {
      check(next.id === id, 'casPeer', `the record is not that of peer ${id}`)
      return casRow(query, id, revision, next)
    },

    addToken: async (token) => {
      check(isPendingKind(token.kind), 'addToken', 'only pending tokens are added')
      check(token.expiresAt !== null, 'addToken', 'a pending token must expire')
      const rows = await query(
        `INSERT INTO ${n.tokens} (${TOKEN_COLUMNS})
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[])
         WHERE EXISTS (SELECT 1 FROM ${n.peers} WHERE id = $2[1])
         ON CONFLICT (digest) DO NOTHING RETURNING pg_notify('${ch}', peer_id)`,
        tokenArrays([token]),
      )
      return rows.length === 1
    },

    consumeInvitation: async ({ invitation, revision, next, issue, now, replayUntil }) => {
      check(issue.peerId === next.id, 'consumeInvitation', 'the issued token belongs to another peer')
      check(issue.kind === 'current', 'consumeInvitation', 'the issued token must be current')
      return inTransaction(async (q) => {
        const record = await casRow(q, next.id, revision, next)
        if (record === null) return null
        const condition = `digest = $1 AND kind = 'invitation' AND peer_id = $2 AND expires_at > $3`
        const consumed =
          replayUntil === undefined
            ? await q(`DELETE FROM ${n.tokens} WHERE ${condition} RETURNING digest`, [
                invitation,
                next.id,
                now,
              ])
            : await q(
                `UPDATE ${n.tokens} SET kind = 'consumed-invitation', expires_at = $4 WHERE ${condition} RETURNING digest`,
                [invitation, next.id, now, replayUntil],
              )
        if (consumed.length !== 1) return null
        return (await insertTokens(q, [issue])) ? record : null
      })
    },

    commitToken: async ({ peerId, revision, next, token, grace, graceFor, now }) => {
      check(next.id === peerId, 'commitToken', `the record is not that of peer ${peerId}`)
      if ('issue' in token) {
        check(token.issue.peerId === peerId, 'commitToken', 'the issued token belongs to another peer')
        check(token.issue.kind === 'current', 'commitToken', 'the issued token must be current')
      }
      return inTransaction(async (q) => {
        const record = await casRow(q, peerId, revision, next)
        if (record === null) return null
        const held = await tokensOf(q, peerId, true)
        let incoming: TokenRecord
        if ('pending' in token) {
          const promoted = promotedPending(held.find((t) => t.digest === token.pending) ?? null, peerId, now)
          if (promoted === null) return null
          incoming = promoted
        } else {
          // A digest the store holds already (this peer's included) is never issued twice.
          if (held.some((t) => t.digest === token.issue.digest)) return null
          incoming = token.issue
        }
        const plan = planTokenCommit(held, incoming, { grace, graceFor })
        if (plan.remove.length > 0) {
          await q(`DELETE FROM ${n.tokens} WHERE digest = ANY($1::text[])`, [plan.remove])
        }
        if (plan.previous !== null) {
          await q(
            `UPDATE ${n.tokens} SET kind = 'previous', expires_at = $2, supersedes = NULL, successor = $3 WHERE digest = $1`,
            [plan.previous.digest, plan.previous.expiresAt, plan.previous.successor],
          )
        }
        if ('pending' in token) {
          await q(
            `UPDATE ${n.tokens} SET kind = 'current', expires_at = NULL, successor = NULL, supersedes = $2 WHERE digest = $1`,
            [plan.current.digest, plan.current.supersedes],
          )
          return record
        }
        return (await insertTokens(q, [plan.current])) ? record : null
      })
    },

    abortToken: async (digest) => {
      await query(
        `DELETE FROM ${n.tokens} WHERE digest = $1 AND kind IN ${PENDING} RETURNING pg_notify('${ch}', peer_id)`,
        [digest],
      )
    },

    retireSuperseded: async (digest) => {
      await ready()
      // One statement: lock the current token, delete the previous one it names, clear the link.
      await transact(pool, async (q) => {
        await q(
          `WITH current_token AS (
             SELECT digest, peer_id, supersedes FROM ${n.tokens}
             WHERE digest = $1 AND kind = 'current' AND supersedes IS NOT NULL FOR UPDATE
           ), retired AS (
             DELETE FROM ${n.tokens} t USING current_token c
             WHERE t.digest = c.supersedes AND t.kind = 'previous' AND t.peer_id = c.peer_id
             RETURNING t.digest
           )
           UPDATE ${n.tokens} t SET supersedes = NULL FROM current_token c
           WHERE t.digest = c.digest RETURNING pg_notify('${ch}', t.peer_id)`,
          [digest],
        )
        return true
      })
    },

    revokeTokens: async ({ peerId, revision, next, issue = [] }) => {
      check(next.id === peerId, 'revokeTokens', `the record is not that of peer ${peerId}`)
      for (const t of issue)
        check(t.peerId === peerId, 'revokeTokens', 'an issued token belongs to another peer')
      return inTransaction(async (q) => {
        const record = await casRow(q, peerId, revision, next)
        if (record === null) return null
        await q(`DELETE FROM ${n.tokens} WHERE peer_id = $1`, [peerId])
        return (await insertTokens(q, issue)) ? record : null
      })
    },

    touchContact: async (id, at) => {
      if (namesNothing(id)) return
      // Not a change anybody needs to hear about: no notification, and the revision is untouched.
      await query(
        `UPDATE ${n.peers} SET last_contact_at = $2
         WHERE id = $1 AND (last_contact_at IS NULL OR last_contact_at < $2)`,
        [id, at],
      )
    },

    replaceSuccessor: async ({ digest, expected, next }) => {
      const rows = await query(
        `UPDATE ${n.tokens} SET successor = $3 WHERE digest = $1 AND successor = $2
         RETURNING pg_notify('${ch}', peer_id)`,
        [digest, expected, next],
      )
      return rows.length === 1
    },

    acquireLease: async ({ name, holder, until, now }) => {
      // One statement: the row lock of the conflicting row decides between racers.
      const rows = await query(
        `INSERT INTO ${n.leases} AS l (name, holder, until) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
         WHERE l.until <= $4 OR l.holder = EXCLUDED.holder
         RETURNING name`,
        [name, holder, until, now],
      )
      return rows.length === 1
    },

    purgeExpiredTokens: async (now) => {
      const rows = await query(
        `DELETE FROM ${n.tokens} WHERE expires_at < $1 RETURNING pg_notify('${ch}', peer_id)`,
        [now],
      )
      return rows.length
    },

    ...(feed === undefined ? {} : { changes: feed }),

    close: async () => {
      await feed?.close()
    },
  }
}
