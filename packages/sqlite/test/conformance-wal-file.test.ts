// The conformance suite, each case on a fresh database file in WAL mode, in a temporary directory that
// is removed after the case. The raw view is a second connection to the file: it sees only what the
// store committed.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreConformance } from '@ocpi-credentials/testing'
import { expect } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { fileHarness } from './raw-view.js'

runStoreConformance({
  name: 'sqliteStore (database file, WAL)',
  setup: async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ocpi-sqlite-conformance-'))
    const path = join(directory, 'ocpi.db')
    const store = sqliteStore({ path, migrate: true })
    const harness = fileHarness(directory, path, store)
    expect(harness.reader.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    return harness
  },
})
