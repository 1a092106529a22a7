// The published conformance suite, against the real PostgreSQL server: concurrency comes from the
// database here (each racing call runs on its own connection), not from an interleave hook.
import { runStoreConformance } from '@ocpi-credentials/testing'
import { afterAll } from 'vitest'
import { postgresStore } from '../src/index.js'
import { createTestDatabase, type TestDatabase } from './database.js'

let database: TestDatabase | undefined

runStoreConformance({
  name: 'postgresStore',
  setup: async () => {
    database ??= await createTestDatabase('conformance')
    await database.truncate()
    const store = postgresStore(database.pool, { schema: database.schema, listen: true })
    return { store, raw: database.raw, teardown: () => store.close() }
  },
})

afterAll(async () => {
  await database?.drop()
})
