import type { DatabaseSync } from 'node:sqlite'
import { OcpiConfigError } from '@ocpi-credentials/core'
import { migrations, SCHEMA_VERSION, type TableLocation } from './migrations.js'
import { prepare } from './prepare.js'
import { type TableNames, tableNamesOf } from './table-names.js'
import { IN_HOST_TRANSACTION, inHostTransaction, writeTransaction } from './transaction.js'

/**
 * Brings the store's tables up to the schema this package needs, and returns the versions it applied
 * (empty when there was nothing to do): in one `BEGIN IMMEDIATE` transaction, each migration of
 * {@link migrations} that the database's migrations table does not record yet. Running it again is a
 * no-op; processes running it at once apply each migration once (the others wait for the first one's
 * lock when their connection has a `busy_timeout`, then find nothing to do; without one they fail with
 * `SQLITE_BUSY`, changing nothing). Throws an `OcpiConfigError`, changing nothing, when the tables are
 * at a newer version than this package knows, or when the connection is inside a transaction of its
 * own (the host's).
 *
 * @example
 * ```ts
 * import { DatabaseSync } from 'node:sqlite'
 * import { migrate, sqliteStore } from '@ocpi-credentials/sqlite'
 *
 * const database = new DatabaseSync('/var/lib/cpo/ocpi.db')
 * migrate(database) // [1] the first time, [] afterwards
 * const store = sqliteStore({ database })
 * ```
 */
export function migrate(database: DatabaseSync, location: TableLocation = {}): number[] {
  const names = tableNamesOf(location.tablePrefix)
  if (inHostTransaction(database)) {
    throw new OcpiConfigError(`migrate: ${IN_HOST_TRANSACTION}: commit or roll it back first`)
  }
  return writeTransaction(database, () => {
    const from = schemaVersionOf(database, names)
    if (from > SCHEMA_VERSION) throw newerSchema(names, from)
    const applied: number[] = []
    for (const migration of migrations) {
      if (migration.version <= from) continue
      database.exec(migration.sql({ tablePrefix: names.prefix }))
      applied.push(migration.version)
    }
    return applied
  })
}

/**
 * The highest migration version the database records for these tables; 0 when it has none. The table is
 * looked up ignoring (ASCII) case, as SQLite resolves table names: tables made under a prefix with
 * capitals, before those were refused, are found under its lowercase.
 */
export function schemaVersionOf(database: DatabaseSync, names: TableNames): number {
  const table = prepare(
    database,
    "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE",
  ).get(names.migrations)
  if (table === undefined) return 0
  const row = prepare(database, `SELECT max(version) AS version FROM ${names.migrations}`).get()
  const version = row?.['version']
  return typeof version === 'number' ? version : 0
}

/**
 * Checks, at start, that the database holds exactly the schema this code reads and writes; throws an
 * `OcpiConfigError` that says what to do otherwise.
 */
export function checkSchema(database: DatabaseSync, names: TableNames): void {
  const version = schemaVersionOf(database, names)
  if (version === SCHEMA_VERSION) return
  if (version > SCHEMA_VERSION) throw newerSchema(names, version)
  const how = `run migrate(database, { tablePrefix: '${names.prefix}' }) first, or pass migrate: true`
  if (version === 0) {
    throw new OcpiConfigError(`sqliteStore: the database has no ${names.prefix}* tables yet: ${how}`)
  }
  throw new OcpiConfigError(
    `sqliteStore: the ${names.prefix}* tables are at schema version ${version}, this package needs ` +
      `${SCHEMA_VERSION}: ${how}`,
  )
}

function newerSchema(names: TableNames, version: number): OcpiConfigError {
  return new OcpiConfigError(
    `sqliteStore: the ${names.prefix}* tables are at schema version ${version}, newer than this ` +
      `@ocpi-credentials/sqlite knows (${SCHEMA_VERSION}): upgrade the package`,
  )
}
