// The conformance suite on a host's connection opened with every node:sqlite option that changes how
// statements bind and answer turned away from its default: statements prepared on a connection inherit
// these, and the store must read and write its tables as on any other connection. The raw view is a
// second, plain connection to the file.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { runStoreConformance } from '@ocpi-credentials/testing'
import { expect } from 'vitest'
import { migrate, migrations, sqliteStore } from '../src/index.js'
import { fileHarness } from './raw-view.js'

/** Each of these makes node:sqlite answer or bind differently from its defaults. */
const HOST_OPTIONS = {
  readBigInts: true,
  returnArrays: true,
  allowBareNamedParameters: false,
  allowUnknownNamedParameters: true,
}

runStoreConformance({
  name: 'sqliteStore (a host connection with its own statement options)',
  setup: async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ocpi-sqlite-host-options-'))
    const path = join(directory, 'ocpi.db')
    const database = new DatabaseSync(path, HOST_OPTIONS)
    expect(migrate(database)).toEqual(migrations.map((m) => m.version))
    const store = sqliteStore({ database })
    return fileHarness(directory, path, store, () => database.close())
  },
})
