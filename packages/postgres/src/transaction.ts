import { OcpiError } from '@ocpi-credentials/core'
import type { Pool, PoolClient, QueryResultRow } from 'pg'

/**
 * Throws unless `pool` is a `pg` Pool, told by its shape (without importing `pg`): `query`, `connect`,
 * and the counts a Pool keeps (`totalCount`, `idleCount`), which a Client lacks. A Client runs single
 * queries but gives out no connection of its own for a transaction: accepted, it failed at the first
 * write ("Client has already been connected"). Internal.
 */
export function checkPool(pool: Pool, caller: string): void {
  const shape = pool as Partial<Record<'query' | 'connect' | 'totalCount' | 'idleCount', unknown>> | null
  if (shape === null || typeof shape !== 'object' || typeof shape.query !== 'function') {
    throw new OcpiError('ERR_OCPI_STORE', `${caller} needs a pg Pool`)
  }
  if (
    typeof shape.connect !== 'function' ||
    typeof shape.totalCount !== 'number' ||
    typeof shape.idleCount !== 'number'
  ) {
    throw new OcpiError(
      'ERR_OCPI_STORE',
      `${caller} needs a pg Pool, not a Client: each transaction takes a connection of its own (new pg.Pool(…))`,
    )
  }
}

/** Runs one query on a connection (a pool or a client inside a transaction). Internal. */
export type Query = <R extends QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>

/** SQLSTATEs after which the whole transaction can simply run again: nothing of it was kept. */
const RETRYABLE = new Set(['40001', '40P01']) // serialization_failure, deadlock_detected
const ATTEMPTS = 4

/** The SQLSTATE of an error PostgreSQL reported; `undefined` for anything else (a lost connection). */
function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('severity' in error)) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/**
 * Runs `work` in one transaction at READ COMMITTED, whatever the database's default (every operation
 * locks what it reads with `FOR UPDATE` or a conditional `UPDATE`, and a racer must then see the winner's
 * commit and match nothing, not fail). It commits when `work` returns anything but `null` or `false`
 * (the contract's "lost the race" answers), and rolls back otherwise, writing nothing. A deadlock or
 * serialization failure reported by PostgreSQL rolls back and runs `work` again, up to four times in
 * all; any other error rolls back and is thrown. A connection lost meanwhile rejects the call (it never
 * reaches the host as an unhandled `error` event) and is not given back to the pool.
 */
export async function transact<T>(pool: Pool, work: (query: Query) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let client: PoolClient | undefined
    let broken: Error | undefined
    // While a client is checked out the pool no longer listens to its `error` events: without a
    // listener of ours, a connection that dies (a failover, pg_terminate_backend) would crash the process.
    const onError = (error: Error) => {
      broken ??= error
    }
    try {
      client = await pool.connect()
      client.on('error', onError)
      const on = client
      const query: Query = async (text, values) => (await on.query(text, values)).rows
      await on.query('BEGIN ISOLATION LEVEL READ COMMITTED')
      let result: T
      try {
        result = await work(query)
      } catch (error) {
        await on.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError
        })
        throw error
      }
      await on.query(result === null || result === false ? 'ROLLBACK' : 'COMMIT')
      return result
    } catch (error) {
      const state = sqlState(error)
      if (state === undefined || !RETRYABLE.has(state) || attempt >= ATTEMPTS) {
        // A connection that failed outside SQL (or could not roll back) is not given back to the pool.
        if (state === undefined && client !== undefined) broken ??= error as Error
        throw error
      }
    } finally {
      client?.off('error', onError)
      client?.release(broken)
    }
  }
}

/**
 * Runs one statement on its own (autocommit) through the pool. At a database default stricter than READ
 * COMMITTED, a statement that races another (two compare-and-swaps of one revision) fails with a
 * serialization failure instead of matching nothing: it is run again, up to four times in all, and then
 * answers as the contract says (`null` / `false` for the loser). Nothing of a failed statement was kept.
 */
export async function statement<R extends QueryResultRow>(
  pool: Pool,
  text: string,
  values?: unknown[],
): Promise<R[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await pool.query<R>(text, values)).rows
    } catch (error) {
      const state = sqlState(error)
      if (state === undefined || !RETRYABLE.has(state) || attempt >= ATTEMPTS) throw error
    }
  }
}
