// A read path into the store's tables that does not go through the store: plain SELECTs, decoded here
// (not with the store's own row mapping), so that the conformance suite checks what is really stored.
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite'
import type { PeerRecord, TokenRecord } from '@ocpi-credentials/core'
import type { RawStoreView } from '@ocpi-credentials/testing'

type Row = Record<string, SQLOutputValue>

export function rawViewOf(db: DatabaseSync, prefix = 'ocpi_'): RawStoreView {
  const peer = (row: Row): PeerRecord => ({
    ...JSON.parse(String(row['record'])),
    id: row['id'],
    state: row['state'],
    revision: row['revision'],
    updatedAt: row['updated_at'],
    lastContactAt: row['last_contact_at'],
  })
  const token = (row: Row) =>
    ({
      digest: row['digest'],
      peerId: row['peer_id'],
      kind: row['kind'],
      createdAt: row['created_at'],
      expiresAt: row['expires_at'],
      supersedes: row['supersedes'],
      successor: row['successor'],
    }) as TokenRecord
  return {
    peer: async (id) => {
      const row = db.prepare(`SELECT * FROM ${prefix}peers WHERE id = ?`).get(id)
      return row === undefined ? null : peer(row)
    },
    token: async (digest) => {
      const row = db.prepare(`SELECT * FROM ${prefix}tokens WHERE digest = ?`).get(digest)
      return row === undefined ? null : token(row)
    },
    tokensOf: async (peerId) =>
      db.prepare(`SELECT * FROM ${prefix}tokens WHERE peer_id = ?`).all(peerId).map(token),
  }
}
