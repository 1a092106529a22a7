// The published fault scenarios (every fault mode of the mock peer at every step of register, rotate
// both ways and unregister) with the PostgreSQL store: stored tokens are read back with plain SELECTs.
import { runFaultScenarios } from '@ocpi-credentials/testing'
import { afterAll } from 'vitest'
import { postgresStore } from '../src/index.js'
import { createTestDatabase, type TestDatabase } from './database.js'

let database: TestDatabase | undefined

runFaultScenarios({
  name: 'postgresStore',
  setup: async () => {
    database ??= await createTestDatabase('faults')
    await database.truncate()
    const store = postgresStore(database.pool, { schema: database.schema })
    return { store, raw: database.raw, teardown: () => store.close() }
  },
})

afterAll(async () => {
  await database?.drop()
})
