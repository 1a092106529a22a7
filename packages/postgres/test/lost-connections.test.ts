// Connections to PostgreSQL killed by the server (a failover, a DBA's pg_terminate_backend) in the middle
// of an operation: the call fails as an error the core turns into OCPI 3000, and the process never sees
// an unhandled `error` event (Vitest fails the run on one). Silent LISTEN connections: change-feed.test.ts.
import type { Ocpi } from '@ocpi-credentials/core'
import pg from 'pg'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { migrate, postgresStore } from '../src/index.js'
import { createTestDatabase, DATABASE_URL, type TestDatabase } from './database.js'
import { Network } from './network.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('lost')
})
afterAll(async () => {
  await db?.drop()
})

/** Ends the server process of every session waiting for a lock in a statement starting with `prefix`. */
async function terminateWaiting(prefix: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const { rowCount } = await db.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND starts_with(query, $1) AND pid <> pg_backend_pid()`,
        [prefix],
      )
      expect(rowCount).toBe(1)
    },
    { timeout: 5_000, interval: 20 },
  )
}

/** A session of its own that takes a lock (`statement`) in an open transaction, until `release()`. */
async function holdLock(statement: string) {
  const session = new pg.Client({ connectionString: DATABASE_URL })
  await session.connect()
  await session.query('BEGIN')
  await session.query(statement)
  return {
    release: async () => {
      await session.query('ROLLBACK')
      await session.end()
    },
  }
}

it('a store transaction whose connection is killed rejects; the pool and the store carry on', async () => {
  const store = postgresStore(db.pool, { schema: db.schema })
  const ocpi = createCpo(store)
  const { peerId } = await ocpi.invite()
  const lock = await holdLock(`SELECT * FROM "${db.schema}".ocpi_peers WHERE id = '${peerId}' FOR UPDATE`)
  try {
    // revoke → revokeTokens: a transaction whose first UPDATE waits for the row lock.
    // Settled into a value at once: a rejection while the kill is being polled must not count as unhandled.
    const revoking = ocpi.revoke(peerId).then(
      () => null,
      (error: unknown) => error,
    )
    await terminateWaiting(`UPDATE "${db.schema}"`)
    expect(String(await revoking)).toMatch(/terminat/i)
  } finally {
    await lock.release()
  }
  // Nothing was written, and the next operation gets a working connection.
  expect((await store.getPeer(peerId))?.state).toBe('invited')
  expect((await ocpi.revoke(peerId)).peer.state).toBe('invited')
  ocpi.close()
  await store.close()
})

it('migrate whose connection is killed rejects, and a later migrate succeeds', async () => {
  const schema = `${db.schema}_m`
  const lock = await holdLock(`CREATE SCHEMA "${schema}"`) // migrate's CREATE SCHEMA waits for it
  try {
    const migrating = migrate(db.pool, { schema }).then(
      () => null,
      (error: unknown) => error,
    )
    await terminateWaiting('DO $$') // the bookkeeping that creates the schema when missing
    expect(String(await migrating)).toMatch(/terminat/i)
  } finally {
    await lock.release()
  }
  expect(await migrate(db.pool, { schema })).toEqual([1, 2])
  await db.pool.query(`DROP SCHEMA "${schema}" CASCADE`)
})

function createCpo(store: ReturnType<typeof postgresStore>): Ocpi {
  const network = new Network()
  return network.site(
    'https://cpo.example.com',
    { role: 'CPO', countryCode: 'NL', partyId: 'CPO' },
    () => store,
  ).instances[0] as Ocpi
}
