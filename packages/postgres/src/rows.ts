import type { PeerRecord, SealedToken, TokenDigest, TokenKind, TokenRecord } from '@ocpi-credentials/core'

/** A row of the peers table as `pg` returns it (`bigint` columns arrive as strings). */
export interface PeerRow {
  readonly id: string
  readonly state: string
  readonly revision: string
  readonly updated_at: string
  readonly last_contact_at: string | null
  readonly record: Record<string, unknown>
}

/** A row of the tokens table as `pg` returns it. */
export interface TokenRow {
  readonly digest: string
  readonly peer_id: string
  readonly kind: string
  readonly created_at: string
  readonly expires_at: string | null
  readonly supersedes: string | null
  readonly successor: string | null
}

/** The columns of the peers table, in insert order. */
export const PEER_COLUMNS = 'id, state, revision, updated_at, last_contact_at, record'
/** The columns of the tokens table, in insert order. */
export const TOKEN_COLUMNS = 'digest, peer_id, kind, created_at, expires_at, supersedes, successor'

function optionalNumber(value: string | null): number | null {
  return value === null ? null : Number(value)
}

/** The record a row holds: the JSON body with the columns the store maintains itself laid over it. */
export function peerFromRow(row: PeerRow): PeerRecord {
  return {
    ...row.record,
    id: row.id,
    state: row.state,
    revision: Number(row.revision),
    updatedAt: Number(row.updated_at),
    lastContactAt: optionalNumber(row.last_contact_at),
  } as unknown as PeerRecord
}

/**
 * The parameters `$n … $n+5` of a peer row. The JSON body leaves out what lives in columns, so that a
 * column written on its own (the contact time) is never contradicted by a stale copy.
 */
export function peerParams(peer: PeerRecord): unknown[] {
  const { id, state, revision, updatedAt, lastContactAt, ...rest } = peer
  return [id, state, revision, updatedAt, lastContactAt, JSON.stringify(rest)]
}

export function tokenFromRow(row: TokenRow): TokenRecord {
  return {
    digest: row.digest as TokenDigest,
    peerId: row.peer_id,
    kind: row.kind as TokenKind,
    createdAt: Number(row.created_at),
    expiresAt: optionalNumber(row.expires_at),
    supersedes: row.supersedes as TokenDigest | null,
    successor: row.successor as SealedToken | null,
  }
}

/** The parameters of one token row, in {@link TOKEN_COLUMNS} order. */
export function tokenParams(token: TokenRecord): unknown[] {
  return [
    token.digest,
    token.peerId,
    token.kind,
    token.createdAt,
    token.expiresAt,
    token.supersedes,
    token.successor,
  ]
}

/**
 * Tokens as the column arrays of `INSERT … SELECT * FROM unnest($1::text[], …)`: any number of rows in
 * one statement with seven parameters.
 */
export function tokenArrays(tokens: readonly TokenRecord[]): unknown[] {
  return [
    tokens.map((t) => t.digest),
    tokens.map((t) => t.peerId),
    tokens.map((t) => t.kind),
    tokens.map((t) => t.createdAt),
    tokens.map((t) => t.expiresAt),
    tokens.map((t) => t.supersedes),
    tokens.map((t) => t.successor),
  ]
}

/** The `unnest` select list matching {@link tokenArrays}. */
export const UNNEST_TOKENS =
  'SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[])'
