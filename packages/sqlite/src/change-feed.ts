import type { DatabaseSync } from 'node:sqlite'
import type { StoreChange, StoreChangeFeed } from '@ocpi-credentials/core'
import { prepare } from './prepare.js'

type Listener = (change: StoreChange) => void

/** Listeners by database file (absolute path) and table prefix, for the stores of this process. */
const listenersByFile = new Map<string, Set<Listener>>()
/** Listeners of in-memory databases, by connection and table prefix. */
const listenersByConnection = new WeakMap<DatabaseSync, Map<string, Set<Listener>>>()

/** An in-process change feed: reports a store's committed writes to the listeners of its tables. */
export interface InProcessFeed extends StoreChangeFeed {
  /** Reports a committed write to every listener (a listener's failure is its own). */
  changed(peerId: string | null): void
}

/**
 * The change feed of a store's tables in this process. Every store over the same tables (the same file
 * and table prefix, or the same in-memory connection and prefix) shares one set of listeners, so that two
 * SDK instances of one process see each other's writes at once. Writes by other processes are not
 * reported: SQLite has no notification across connections. Nor are writes through another connection to
 * a shared-cache in-memory database: nothing on a connection names the database it shares (its file is
 * ''), so such stores are told apart by connection, as private in-memory databases must be.
 */
export function inProcessFeed(db: DatabaseSync, prefix: string): InProcessFeed {
  const listeners = listenersOf(db, prefix)
  return {
    subscribe(listener) {
      // A distinct wrapper per subscription, so the same function may subscribe twice.
      const entry: Listener = (change) => listener(change)
      listeners.add(entry)
      return () => {
        listeners.delete(entry)
      }
    },
    changed(peerId) {
      for (const listener of [...listeners]) {
        try {
          listener({ type: 'changed', peerId })
        } catch {
          // The write has committed and is reported as done.
        }
      }
    },
  }
}

function listenersOf(db: DatabaseSync, prefix: string): Set<Listener> {
  const file = fileOf(db)
  if (file !== null) {
    const key = `${prefix}\u0000${file}`
    let listeners = listenersByFile.get(key)
    if (listeners === undefined) {
      listeners = new Set()
      listenersByFile.set(key, listeners)
    }
    return listeners
  }
  let byPrefix = listenersByConnection.get(db)
  if (byPrefix === undefined) {
    byPrefix = new Map()
    listenersByConnection.set(db, byPrefix)
  }
  let listeners = byPrefix.get(prefix)
  if (listeners === undefined) {
    listeners = new Set()
    byPrefix.set(prefix, listeners)
  }
  return listeners
}

/** The absolute path of the connection's main database file; `null` for an in-memory database. */
function fileOf(db: DatabaseSync): string | null {
  const main = prepare(db, 'PRAGMA database_list')
    .all()
    .find((row) => row['name'] === 'main')
  const file = main?.['file']
  return typeof file === 'string' && file !== '' ? file : null
}
