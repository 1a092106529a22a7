import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { prepare as prepareOn } from './prepare.js'
import { PEER_COLUMNS, TOKEN_COLUMNS } from './rows.js'
import type { TableNames } from './table-names.js'

/** The pending kinds, as an SQL list. */
const PENDING = "('pending-registration', 'pending-rotation')"

/**
 * Every statement the store runs, prepared once per store. Parameters are named (`:id`), bound from
 * plain objects (`{ id }`); values are always bound, never written into SQL.
 */
export interface Statements {
  readonly peer: StatementSync
  /** Peers ordered by id: `[all, of one state, after an id, of one state after an id]`. */
  readonly listPeers: {
    readonly all: StatementSync
    readonly byState: StatementSync
    readonly after: StatementSync
    readonly byStateAfter: StatementSync
  }
  readonly insertPeer: StatementSync
  /** The revision-checked write: `revision + 1`, the later contact time kept, `RETURNING` the row. */
  readonly updatePeer: StatementSync
  readonly touchContact: StatementSync
  readonly token: StatementSync
  readonly tokensOf: StatementSync
  readonly insertToken: StatementSync
  /** Inserts a token only when its peer exists. */
  readonly insertTokenOfPeer: StatementSync
  /** Rewrites the mutable fields of a token. */
  readonly updateToken: StatementSync
  readonly deleteToken: StatementSync
  readonly deleteTokensOf: StatementSync
  readonly deleteInvitation: StatementSync
  readonly markInvitationConsumed: StatementSync
  readonly deletePending: StatementSync
  readonly replaceSuccessor: StatementSync
  readonly purgeExpired: StatementSync
  /** Takes a free or lapsed lease, or renews one's own; `changes` is 1 when it did. */
  readonly acquireLease: StatementSync
}

/** Prepares the store's statements over its tables (which must exist: the schema is checked first). */
export function prepareStatements(db: DatabaseSync, names: TableNames): Statements {
  const { peers, tokens } = names
  const prepare = (sql: string) => prepareOn(db, sql)
  const listPeers = (where: string) =>
    prepare(`SELECT ${PEER_COLUMNS} FROM ${peers} ${where} ORDER BY id LIMIT :limit`)
  const invitation = "digest = :digest AND peer_id = :peer_id AND kind = 'invitation' AND expires_at > :now"
  return {
    peer: prepare(`SELECT ${PEER_COLUMNS} FROM ${peers} WHERE id = :id`),
    listPeers: {
      all: listPeers(''),
      byState: listPeers('WHERE state = :state'),
      after: listPeers('WHERE id > :after'),
      byStateAfter: listPeers('WHERE state = :state AND id > :after'),
    },
    insertPeer: prepare(
      `INSERT INTO ${peers} (${PEER_COLUMNS})
       VALUES (:id, :state, :revision, :updated_at, :last_contact_at, :record)
       ON CONFLICT DO NOTHING`,
    ),
    updatePeer: prepare(
      `UPDATE ${peers}
       SET state = :state, revision = revision + 1, updated_at = :updated_at, record = :record,
           last_contact_at = coalesce(max(last_contact_at, :last_contact_at), last_contact_at, :last_contact_at)
       WHERE id = :id AND revision = :expected
       RETURNING ${PEER_COLUMNS}`,
    ),
    touchContact: prepare(
      `UPDATE ${peers} SET last_contact_at = :at
       WHERE id = :id AND (last_contact_at IS NULL OR last_contact_at < :at)`,
    ),
    token: prepare(`SELECT ${TOKEN_COLUMNS} FROM ${tokens} WHERE digest = :digest`),
    tokensOf: prepare(`SELECT ${TOKEN_COLUMNS} FROM ${tokens} WHERE peer_id = :peer_id`),
    insertToken: prepare(
      `INSERT INTO ${tokens} (${TOKEN_COLUMNS})
       VALUES (:digest, :peer_id, :kind, :created_at, :expires_at, :supersedes, :successor)
       ON CONFLICT DO NOTHING`,
    ),
    insertTokenOfPeer: prepare(
      `INSERT INTO ${tokens} (${TOKEN_COLUMNS})
       SELECT :digest, :peer_id, :kind, :created_at, :expires_at, :supersedes, :successor
       WHERE EXISTS (SELECT 1 FROM ${peers} WHERE id = :peer_id)
       ON CONFLICT DO NOTHING`,
    ),
    updateToken: prepare(
      `UPDATE ${tokens}
       SET kind = :kind, expires_at = :expires_at, supersedes = :supersedes, successor = :successor
       WHERE digest = :digest`,
    ),
    deleteToken: prepare(`DELETE FROM ${tokens} WHERE digest = :digest`),
    deleteTokensOf: prepare(`DELETE FROM ${tokens} WHERE peer_id = :peer_id`),
    deleteInvitation: prepare(`DELETE FROM ${tokens} WHERE ${invitation}`),
    markInvitationConsumed: prepare(
      `UPDATE ${tokens} SET kind = 'consumed-invitation', expires_at = :until WHERE ${invitation}`,
    ),
    deletePending: prepare(`DELETE FROM ${tokens} WHERE digest = :digest AND kind IN ${PENDING}`),
    replaceSuccessor: prepare(
      `UPDATE ${tokens} SET successor = :next WHERE digest = :digest AND successor IS :expected`,
    ),
    purgeExpired: prepare(`DELETE FROM ${tokens} WHERE expires_at < :now`),
    acquireLease: prepare(
      `INSERT INTO ${names.leases} (name, holder, until) VALUES (:name, :holder, :until)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
       WHERE ${names.leases}.until <= :now OR ${names.leases}.holder = excluded.holder`,
    ),
  }
}
