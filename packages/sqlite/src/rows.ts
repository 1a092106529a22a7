import type { SQLInputValue, SQLOutputValue } from 'node:sqlite'
import {
  OcpiError,
  type PeerRecord,
  type SealedToken,
  type TokenDigest,
  type TokenKind,
  type TokenRecord,
} from '@ocpi-credentials/core'

/** A row as node:sqlite returns it. */
export type Row = Record<string, SQLOutputValue>

/** Named parameters as node:sqlite binds them (bare names: `{ id }` binds `:id`). */
export type Params = Record<string, SQLInputValue>

/** The columns of a peer row, in the order every peer statement selects them. */
export const PEER_COLUMNS = 'id, state, revision, updated_at, last_contact_at, record'

/** The columns of a token row, in the order every token statement selects them. */
export const TOKEN_COLUMNS = 'digest, peer_id, kind, created_at, expires_at, supersedes, successor'

const TOKEN_KINDS: ReadonlySet<string> = new Set<TokenKind>([
  'invitation',
  'consumed-invitation',
  'pending-registration',
  'pending-rotation',
  'current',
  'previous',
])

/**
 * The parameters of a peer row: the fields the store filters on or merges (`id`, `state`, `revision`,
 * `updatedAt`, `lastContactAt`) as columns, everything else as JSON in `record`.
 */
export function peerParams(peer: PeerRecord): Params {
  const { id, state, revision, updatedAt, lastContactAt, ...rest } = peer
  return {
    id,
    state,
    revision,
    updated_at: updatedAt,
    last_contact_at: lastContactAt,
    record: JSON.stringify(rest),
  }
}

/**
 * The parameters of `updatePeer`: `next` as a row, to be stored when the stored revision is `expected`
 * (the store writes `expected + 1`, whatever `next.revision` says).
 */
export function peerUpdateParams(next: PeerRecord, expected: number): Params {
  const { revision: _ignored, ...params } = peerParams(next)
  return { ...params, expected }
}

/** The peer record a row holds: a fresh object, which the caller may change without changing the row. */
export function peerFromRow(row: Row): PeerRecord {
  const rest: unknown = JSON.parse(text(row, 'record'))
  if (typeof rest !== 'object' || rest === null || Array.isArray(rest)) throw unexpected('record')
  return {
    ...rest,
    id: text(row, 'id'),
    state: text(row, 'state'),
    revision: integer(row, 'revision'),
    updatedAt: integer(row, 'updated_at'),
    lastContactAt: optionalInteger(row, 'last_contact_at'),
  } as PeerRecord
}

/** The parameters of a token row. */
export function tokenParams(token: TokenRecord): Params {
  return {
    digest: token.digest,
    peer_id: token.peerId,
    kind: token.kind,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    supersedes: token.supersedes,
    successor: token.successor,
  }
}

/** The parameters of `updateToken`: the fields a token record may change, by digest. */
export function tokenUpdateParams(token: TokenRecord): Params {
  return {
    digest: token.digest,
    kind: token.kind,
    expires_at: token.expiresAt,
    supersedes: token.supersedes,
    successor: token.successor,
  }
}

/** The token record a row holds (a fresh object). */
export function tokenFromRow(row: Row): TokenRecord {
  const kind = text(row, 'kind')
  if (!TOKEN_KINDS.has(kind)) throw unexpected('kind')
  return {
    digest: text(row, 'digest') as TokenDigest,
    peerId: text(row, 'peer_id'),
    kind: kind as TokenKind,
    createdAt: integer(row, 'created_at'),
    expiresAt: optionalInteger(row, 'expires_at'),
    supersedes: optionalText(row, 'supersedes') as TokenDigest | null,
    successor: optionalText(row, 'successor') as SealedToken | null,
  }
}

function text(row: Row, column: string): string {
  const value = row[column]
  if (typeof value !== 'string') throw unexpected(column)
  return value
}

function optionalText(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column)
}

function integer(row: Row, column: string): number {
  const value = row[column]
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw unexpected(column)
  return value
}

function optionalInteger(row: Row, column: string): number | null {
  return row[column] === null ? null : integer(row, column)
}

/** A row that this code did not write. The message names the column, never its value. */
function unexpected(column: string): OcpiError {
  return new OcpiError('ERR_OCPI_STORE', `sqliteStore: unexpected value in column ${column}`)
}
