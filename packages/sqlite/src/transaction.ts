import type { DatabaseSync } from 'node:sqlite'

/**
 * Runs `work` in one write transaction: `BEGIN IMMEDIATE … COMMIT`.
 *
 * - `IMMEDIATE` takes the database's write lock before the first read, so that what `work` reads cannot
 *   change before it writes: another connection (another process, or another `DatabaseSync` on the same
 *   file) waits for the lock up to the connection's `busy_timeout`, then fails with `SQLITE_BUSY`. In WAL
 *   mode it also reads the latest commit, never an older snapshot.
 * - An answer of `null` or `false` is a lost condition (a stale revision, a taken digest): the transaction
 *   is rolled back, so that whatever `work` wrote before finding out is undone.
 * - A throw rolls back too, and is rethrown.
 *
 * `work` is synchronous (node:sqlite is), so no other operation of this connection can run in between.
 */
export function writeTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE')
  let result: T
  try {
    result = work()
  } catch (error) {
    rollback(db)
    throw error
  }
  if (result === null || result === false) {
    rollback(db)
    return result
  }
  try {
    db.exec('COMMIT')
  } catch (error) {
    // A failed COMMIT may leave the transaction open (SQLITE_BUSY): end it, writing nothing.
    rollback(db)
    throw error
  }
  return result
}

/** What is wrong with a connection inside a transaction the store did not start. */
export const IN_HOST_TRANSACTION = "the connection is in a transaction the store did not start (the host's)"

/**
 * Whether the connection is inside a transaction the store did not start: the host's, on a connection
 * it passed as `database` (the store's own transactions never outlive an operation). The store refuses
 * to work then: a single-statement write would join the host's transaction, answer success and be undone
 * by its ROLLBACK; `BEGIN IMMEDIATE` would fail; a read would see the host's snapshot or its uncommitted
 * writes.
 */
export function inHostTransaction(db: DatabaseSync): boolean {
  // isTransaction came with Node 22.16 and 24.0: on a Node 23 release without it nothing is checked.
  return db.isTransaction === true
}

/** Rolls back the open transaction, if SQLite has not done so already. */
function rollback(db: DatabaseSync): void {
  try {
    db.exec('ROLLBACK')
  } catch {
    // "no transaction is active": some errors roll back by themselves.
  }
}
