// The published conformance suite again, on a database whose default isolation is stricter than READ
// COMMITTED (a policy some organisations set per role or database). Lost races must still be answered
// `null` / `false`, never thrown as serialization failures.
import { runStoreConformance } from '@ocpi-credentials/testing'
import { afterAll } from 'vitest'
import { postgresStore } from '../src/index.js'
import { createTestDatabase, type TestDatabase } from './database.js'

const databases: TestDatabase[] = []

for (const isolation of ['serializable', 'repeatable read']) {
  let database: TestDatabase | undefined
  runStoreConformance({
    name: `postgresStore, default isolation ${isolation}`,
    setup: async () => {
      if (database === undefined) {
        database = await createTestDatabase(isolation.replace(' ', '_'), {
          options: `-c default_transaction_isolation=${isolation.replace(' ', '\\ ')}`,
        })
        databases.push(database)
      }
      await database.truncate()
      const store = postgresStore(database.pool, { schema: database.schema })
      return { store, raw: database.raw, teardown: () => store.close() }
    },
  })
}

afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()))
})
