import { closeSync, openSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { OcpiConfigError } from '@ocpi-credentials/core'
import type { SqliteStoreOptions } from './options.js'
import { prepare } from './prepare.js'
import { IN_HOST_TRANSACTION, inHostTransaction } from './transaction.js'

/** The connection a store works on, and whether the store closes it. */
export interface OpenedDatabase {
  readonly db: DatabaseSync
  readonly owned: boolean
}

/** Default of `busyTimeoutMs`. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000

/** Opens `path` (the store owns it) or takes the host's `database`; exactly one must be given. */
export function openDatabase(options: SqliteStoreOptions): OpenedDatabase {
  const { path, database } = options as { path?: unknown; database?: unknown }
  if ((path === undefined) === (database === undefined)) {
    throw new OcpiConfigError('sqliteStore: give either path (a file) or database (an open DatabaseSync)')
  }
  if (database !== undefined) {
    if (!isConnection(database)) throw new OcpiConfigError('sqliteStore: database must be a DatabaseSync')
    if (inHostTransaction(database)) {
      throw new OcpiConfigError(`sqliteStore: ${IN_HOST_TRANSACTION}: commit or roll it back first`)
    }
    return { db: database, owned: false }
  }
  if (typeof path !== 'string' || path === '') {
    throw new OcpiConfigError('sqliteStore: path must be a file path')
  }
  // node:sqlite opens names starting with "file:" as URIs, and SQLite creates their file with the
  // process's umask. Reading URIs exactly as SQLite does (authority, escapes, mode, vfs) to create the
  // file first is not worth the risk of creating a different file than SQLite opens.
  if (path.startsWith('file:')) {
    throw new OcpiConfigError(
      'sqliteStore: path must be a file path, not a file: URI (SQLite would create the file without the ' +
        'owner-only permissions): open the DatabaseSync yourself and pass it as database',
    )
  }
  try {
    createPrivately(path)
    return { db: new DatabaseSync(path), owned: true }
  } catch (error) {
    throw new OcpiConfigError(`sqliteStore: cannot open the database at ${path}`, { cause: error })
  }
}

/**
 * Sets what the store needs on its connection: a busy timeout (a write waits for another connection's
 * lock instead of failing at once), foreign keys (a token always belongs to a stored peer), and WAL
 * (readers never wait for the writer; the mode is stored in the file). A database without a file (in
 * memory, or SQLite's temporary one) keeps its own mode: WAL needs a file. A file SQLite cannot put in
 * WAL mode is refused: the store's promises to readers depend on it.
 */
export function configureConnection(db: DatabaseSync, busyTimeoutMs: number): void {
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
  db.exec('PRAGMA foreign_keys = ON')
  const mode = switchToWal(db, busyTimeoutMs)
  const file = db.location()
  if (mode !== 'wal' && file !== null) {
    throw new OcpiConfigError(
      `sqliteStore: the database at ${file} cannot be put in WAL mode (SQLite answered journal_mode ` +
        `'${mode}'), which the store needs so that reads never wait for a write`,
    )
  }
}

/** How long to pause between two attempts to switch to WAL, in milliseconds. */
const WAL_RETRY_MS = 5
const pauseCell = new Int32Array(new SharedArrayBuffer(4))

/**
 * `PRAGMA journal_mode = WAL`, retried while the file is busy, for up to `busyTimeoutMs`; answers the mode
 * SQLite reports. Leaving rollback-journal mode takes an exclusive lock, and when another connection is
 * writing (another process migrating the same fresh file at start, say), SQLite answers `SQLITE_BUSY` at
 * once instead of waiting out `busy_timeout`: its busy handler would deadlock there, as this connection
 * holds a read lock that the writer needs gone to commit. Each retry starts a new statement, which has
 * let go of that read lock. The pause blocks the thread, as `busy_timeout` itself does.
 */
function switchToWal(db: DatabaseSync, busyTimeoutMs: number): string {
  const deadline = performance.now() + busyTimeoutMs
  for (;;) {
    try {
      return String(prepare(db, 'PRAGMA journal_mode = WAL').get()?.['journal_mode'])
    } catch (error) {
      const left = deadline - performance.now()
      if (!isBusy(error) || left <= 0) throw error
      Atomics.wait(pauseCell, 0, 0, Math.min(WAL_RETRY_MS, left))
    }
  }
}

/** `SQLITE_BUSY`, or one of its extended codes: another connection holds the lock. */
function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode
  return typeof code === 'number' && (code & 0xff) === 5
}

/** The longest `busy_timeout` SQLite takes (a C `int`); a longer one would silently become 0. */
const MAX_BUSY_TIMEOUT_MS = 2_147_483_647

/**
 * Checks what `sqliteStore` reads before it reads anything: an options object (JavaScript callers can
 * pass anything), and `migrate` a boolean, since a string such as `'true'` from the environment would
 * otherwise be silently taken as `false`.
 */
export function checkOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new OcpiConfigError(
      'sqliteStore: options must be an object: { path } (a file) or { database } (a DatabaseSync)',
    )
  }
  const { migrate } = options as { migrate?: unknown }
  if (migrate !== undefined && typeof migrate !== 'boolean') {
    throw new OcpiConfigError('sqliteStore: migrate must be true or false')
  }
}

/** Checks `busyTimeoutMs`: a whole number of milliseconds that SQLite takes as it is. */
export function busyTimeoutOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_BUSY_TIMEOUT_MS
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_BUSY_TIMEOUT_MS) {
    throw new OcpiConfigError(
      `sqliteStore: busyTimeoutMs must be a whole number of milliseconds from 0 to ${MAX_BUSY_TIMEOUT_MS}`,
    )
  }
  return value
}

/**
 * Creates a missing database file readable and writable by its owner only (0600); SQLite gives its
 * `-wal` and `-shm` files the same permissions. An existing file is left as it is.
 */
function createPrivately(path: string): void {
  if (path === ':memory:') return
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return
    throw error
  }
  closeSync(fd)
}

function isConnection(value: unknown): value is DatabaseSync {
  const candidate = value as Partial<DatabaseSync> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.prepare === 'function' &&
    typeof candidate.exec === 'function'
  )
}
