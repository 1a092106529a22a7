// The conformance suite, each case on a fresh in-memory database. The raw view reads the same
// connection (an in-memory database has no other), with its own SELECTs.
import { DatabaseSync } from 'node:sqlite'
import { runStoreConformance } from '@ocpi-credentials/testing'
import { migrate, sqliteStore } from '../src/index.js'
import { rawViewOf } from './raw-view.js'

runStoreConformance({
  name: 'sqliteStore (in-memory database)',
  setup: async () => {
    const database = new DatabaseSync(':memory:')
    migrate(database)
    const store = sqliteStore({ database })
    return {
      store,
      raw: rawViewOf(database),
      teardown: async () => {
        store.close()
        database.close()
      },
    }
  },
})
