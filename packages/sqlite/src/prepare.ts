import type { DatabaseSync, StatementSync } from 'node:sqlite'

/**
 * Prepares one of the store's statements with node:sqlite's defaults, whatever the connection was opened
 * with: a host's `DatabaseSync` may have been opened with `readBigInts`, `returnArrays`,
 * `allowBareNamedParameters: false` or `allowUnknownNamedParameters`, and every statement prepared on it
 * inherits them. The store reads rows as objects of numbers (a version, a revision, `changes`) and binds
 * bare names (`{ id }` binds `:id`): with the host's options it would misread its own tables. The
 * connection itself is left as the host opened it.
 *
 * @example
 * ```ts
 * const row = prepare(db, 'SELECT max(version) AS version FROM ocpi_migrations').get()
 * ```
 */
export function prepare(db: DatabaseSync, sql: string): StatementSync {
  const statement = db.prepare(sql)
  statement.setReadBigInts(false)
  statement.setAllowBareNamedParameters(true)
  // A Node 23 release may lack these two setters; its connections then lack the matching options too.
  statement.setReturnArrays?.(false)
  statement.setAllowUnknownNamedParameters?.(false)
  return statement
}
