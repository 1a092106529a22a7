// A read path into the store's tables that does not go through the store: plain SELECTs, decoded here
// (not with the store's own row mapping), so that the conformance suite checks what is really stored.
import { rmSync } from 'node:fs'
import { DatabaseSync, type SQLOutputValue } from 'node:sqlite'
import type { CredentialsStore, PeerRecord, TokenRecord } from '@ocpi-credentials/core'
import type { RawStoreView, StoreHarnessInstance } from '@ocpi-credentials/testing'

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

/**
 * A conformance case's harness over the database file at `path` in the temporary `directory`: the raw
 * view is a second, read-only connection to the file; teardown closes it, the store and `close` (a
 * host's own connection), then removes the directory.
 */
export function fileHarness(
  directory: string,
  path: string,
  store: CredentialsStore & { close(): void },
  close: () => void = () => undefined,
): StoreHarnessInstance & { readonly reader: DatabaseSync } {
  const reader = new DatabaseSync(path, { readOnly: true })
  return {
    store,
    reader,
    raw: rawViewOf(reader),
    teardown: async () => {
      reader.close()
      store.close()
      close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
