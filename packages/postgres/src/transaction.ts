import type { Pool, PoolClient, QueryResultRow } from 'pg'

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
 * Runs `work` in one transaction (READ COMMITTED; every operation locks what it reads with `FOR
 * UPDATE` or a conditional `UPDATE`). It commits when `work` returns anything but `null` or `false`
 * (the contract's "lost the race" answers), and rolls back otherwise, writing nothing. A deadlock or
 * serialization failure reported by PostgreSQL rolls back and runs `work` again, up to four times in
 * all; any other error rolls back and is thrown.
 */
export async function transact<T>(pool: Pool, work: (query: Query) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let client: PoolClient | undefined
    let broken: Error | undefined
    try {
      client = await pool.connect()
      const on = client
      const query: Query = async (text, values) => (await on.query(text, values)).rows
      await on.query('BEGIN')
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
      client?.release(broken)
    }
  }
}
