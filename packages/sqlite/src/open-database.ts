import { closeSync, openSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { OcpiConfigError } from '@ocpi-credentials/core'
import type { SqliteStoreOptions } from './options.js'

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
    return { db: database, owned: false }
  }
  if (typeof path !== 'string' || path === '') {
    throw new OcpiConfigError('sqliteStore: path must be a file path')
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
 * (readers never wait for the writer; the mode is stored in the file, and in-memory databases keep
 * theirs).
 */
export function configureConnection(db: DatabaseSync, busyTimeoutMs: number): void {
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
  db.exec('PRAGMA foreign_keys = ON')
  db.prepare('PRAGMA journal_mode = WAL').get()
}

/** Checks `busyTimeoutMs`: a whole number of milliseconds, 0 or more. */
export function busyTimeoutOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_BUSY_TIMEOUT_MS
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new OcpiConfigError('sqliteStore: busyTimeoutMs must be a whole number of milliseconds, 0 or more')
  }
  return value
}

/**
 * Creates a missing database file readable and writable by its owner only (0600); SQLite gives its
 * `-wal` and `-shm` files the same permissions. An existing file is left as it is.
 */
function createPrivately(path: string): void {
  if (path === ':memory:' || path.startsWith('file:')) return
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
