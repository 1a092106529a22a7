import type { DatabaseSync } from 'node:sqlite'
import type { CredentialsStore, StoreChangeFeed } from '@ocpi-credentials/core'
import type { TableLocation } from './migrations.js'

/**
 * Settings of {@link sqliteStore}, whichever way the database is given: where its tables are
 * ({@link TableLocation}), whether to migrate, how long to wait for a lock.
 *
 * @example
 * ```ts
 * const settings: SqliteStoreSettings = { tablePrefix: 'ocpi_', migrate: true, busyTimeoutMs: 5_000 }
 * ```
 */
export interface SqliteStoreSettings extends TableLocation {
  /**
   * Run {@link migrate} before checking the schema (default `false`: the store refuses to start on a
   * database whose schema is not exactly the one this package needs, and says what to run). A boolean:
   * anything else (`'true'` from the environment) is refused.
   */
  readonly migrate?: boolean
  /**
   * How long an operation waits for another connection's write lock before failing with
   * `SQLITE_BUSY`, in milliseconds (default 5000; at most 2147483647, the most SQLite takes).
   * node:sqlite is synchronous: the wait blocks the event loop, which matters only when several
   * processes write to one file.
   */
  readonly busyTimeoutMs?: number
}

/**
 * Options of {@link sqliteStore}: the database (a file the store opens and owns, or a connection the host
 * owns) and {@link SqliteStoreSettings}.
 *
 * @example
 * ```ts
 * const owned: SqliteStoreOptions = { path: '/var/lib/cpo/ocpi.db', migrate: true }
 * const shared: SqliteStoreOptions = { database: new DatabaseSync('/var/lib/cpo/app.db') }
 * ```
 */
export type SqliteStoreOptions = SqliteStoreSettings &
  (
    | {
        /**
         * The database file, created when missing (readable and writable by its owner only), or
         * `':memory:'`. Not a `file:` URI: for URI parameters, open the `DatabaseSync` yourself and
         * pass it as `database`. The store opens the file, sets it up and closes it in
         * {@link SqliteStore.close}.
         */
        readonly path: string
        readonly database?: never
      }
    | {
        /**
         * An open connection owned by the host, which closes it; {@link SqliteStore.close} leaves it
         * open. The store sets the pragmas it needs on it (see the package README), and works only
         * between the host's transactions on it: while one is open, every operation rejects.
         */
        readonly database: DatabaseSync
        readonly path?: never
      }
  )

/**
 * The SQLite `CredentialsStore`, with its in-process change feed and `close()`.
 *
 * @example
 * ```ts
 * const store: SqliteStore = sqliteStore({ path: 'ocpi.db', migrate: true })
 * process.on('SIGTERM', () => { ocpi.close(); store.close() })
 * ```
 */
export interface SqliteStore extends CredentialsStore {
  /**
   * Committed writes of every store of this process over the same tables: the same file and prefix or,
   * for a database without a file (in memory), the same connection and prefix. Writes by other
   * processes are not reported, nor those made through another connection to a shared-cache in-memory
   * database (`file:name?mode=memory&cache=shared`): give every store of such a database one connection.
   */
  readonly changes: StoreChangeFeed
  /**
   * Closes the database when the store opened it (`path`), checkpointing its WAL; leaves a connection
   * given as `database` open. Operations after `close()` reject.
   */
  close(): void
}
