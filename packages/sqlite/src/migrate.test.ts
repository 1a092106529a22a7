import { DatabaseSync } from 'node:sqlite'
import { OcpiConfigError } from '@ocpi-credentials/core'
import { describe, expect, it } from 'vitest'
import { migrate } from './migrate.js'
import { migrationScript, migrations, SCHEMA_VERSION } from './migrations.js'
import { sqliteStore } from './sqlite-store.js'

const tablesOf = (db: DatabaseSync) =>
  db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite%' ORDER BY name",
    )
    .all()
    .map((row) => row['name'])

/** Every migration as the migrations table records it. */
const ALL = migrations.map((m) => [m.version, m.name])

const versionsOf = (db: DatabaseSync, prefix = 'ocpi_') =>
  db
    .prepare(`SELECT version, name FROM ${prefix}migrations ORDER BY version`)
    .all()
    .map((row) => [row['version'], row['name']])

describe('migrations', () => {
  it('are numbered 1, 2, … and end at the version the code needs', () => {
    const versions = migrations.map((m) => m.version)
    expect(versions).toEqual(versions.map((_, i) => i + 1))
    expect(versions.at(-1)).toBe(SCHEMA_VERSION)
  })

  it('name every table and index with the prefix', () => {
    const first = migrations[0]
    const named = [
      ...(first?.sql({ tablePrefix: 'cpo_' }) ?? '').matchAll(
        /(?:TABLE|INDEX|INTO|REFERENCES|ON)\s+(?:IF NOT EXISTS\s+)?(\w+)/g,
      ),
    ]
    expect(named.length).toBeGreaterThan(5)
    for (const [, name] of named) expect(name).toMatch(/^cpo_/)
  })
})

describe('migrate', () => {
  it('creates the tables and records the version; a second run is a no-op', () => {
    const db = new DatabaseSync(':memory:')
    expect(migrate(db)).toEqual(migrations.map((m) => m.version))
    expect(tablesOf(db)).toEqual([
      'ocpi_leases',
      'ocpi_migrations',
      'ocpi_peers',
      'ocpi_peers_by_state',
      'ocpi_tokens',
      'ocpi_tokens_by_expiry',
      'ocpi_tokens_by_peer',
    ])
    expect(versionsOf(db)).toEqual(ALL)
    expect(migrate(db)).toEqual([])
    expect(versionsOf(db)).toEqual(ALL)
  })

  it('records when each migration was applied, in milliseconds since the epoch', () => {
    const db = new DatabaseSync(':memory:')
    const before = Date.now()
    migrate(db)
    const appliedAt = db.prepare('SELECT applied_at FROM ocpi_migrations').get()?.['applied_at']
    expect(appliedAt).toBeGreaterThanOrEqual(before - 1_000)
    expect(appliedAt).toBeLessThanOrEqual(Date.now() + 1_000)
  })

  it('keeps stores of different prefixes apart in one database', async () => {
    const db = new DatabaseSync(':memory:')
    migrate(db, { tablePrefix: 'a_' })
    migrate(db, { tablePrefix: 'b_' })
    expect(versionsOf(db, 'a_')).toEqual(ALL)
    expect(versionsOf(db, 'b_')).toEqual(ALL)
    expect(() => sqliteStore({ database: db })).toThrow(OcpiConfigError)
    const a = sqliteStore({ database: db, tablePrefix: 'a_' })
    const b = sqliteStore({ database: db, tablePrefix: 'b_' })
    const peer = {
      id: 'peer-1',
      revision: 0,
      origin: 'import',
      expectedParties: null,
      as: null,
      createdAt: 1,
      updatedAt: 1,
      lastContactAt: null,
      state: 'invited',
      invitationExpiresAt: 2,
    } as const
    expect(await a.createPeer(peer, [])).toBe(true)
    expect(await b.getPeer('peer-1')).toBeNull()
    expect(await b.createPeer(peer, [])).toBe(true)
  })

  it('refuses, changing nothing, a database whose schema is newer than the code', () => {
    const db = new DatabaseSync(':memory:')
    migrate(db)
    db.exec("INSERT INTO ocpi_migrations VALUES (99, 'from the future', 0)")
    const tables = tablesOf(db)
    expect(() => migrate(db)).toThrow(OcpiConfigError)
    expect(() => migrate(db)).toThrow(
      new RegExp(`schema version 99, newer than .* knows \\(${SCHEMA_VERSION}\\): upgrade the package`),
    )
    expect(tablesOf(db)).toEqual(tables)
    expect(db.prepare('SELECT count(*) AS n FROM ocpi_migrations').get()).toEqual({
      n: migrations.length + 1,
    })
  })

  it('rolls back a migration that fails halfway', () => {
    const db = new DatabaseSync(':memory:')
    db.exec('CREATE TABLE ocpi_tokens (x)')
    expect(() => migrate(db)).toThrow(/already exists/)
    expect(tablesOf(db)).toEqual(['ocpi_tokens'])
  })

  it("reads the version on a host connection opened with node:sqlite's other statement options", () => {
    const options = [
      { readBigInts: true },
      { returnArrays: true },
      { allowBareNamedParameters: false },
      { allowUnknownNamedParameters: true },
    ]
    for (const option of options) {
      const db = new DatabaseSync(':memory:', option)
      expect(migrate(db)).toEqual(migrations.map((m) => m.version))
      expect(migrate(db)).toEqual([])
      expect(() => sqliteStore({ database: db })).not.toThrow()
      db.close()
    }
    // The host's connection keeps its options: only the store's own statements are set.
    const db = new DatabaseSync(':memory:', { returnArrays: true })
    sqliteStore({ database: db, migrate: true })
    expect(db.prepare('SELECT 1 AS one').get()).toEqual([1])
  })

  it('refuses a prefix that is not a plain SQL name', () => {
    const db = new DatabaseSync(':memory:')
    for (const tablePrefix of [
      '',
      '1ocpi_',
      'ocpi-',
      'ocpi_; DROP TABLE x; --',
      ' ocpi_',
      'ocpi.',
      'Ocpi_',
    ]) {
      expect(() => migrate(db, { tablePrefix })).toThrow(OcpiConfigError)
      expect(() => migrationScript({ tablePrefix })).toThrow(OcpiConfigError)
      expect(() => migrations[0]?.sql({ tablePrefix })).toThrow(OcpiConfigError)
      expect(() => sqliteStore({ database: db, tablePrefix })).toThrow(OcpiConfigError)
    }
    expect(tablesOf(db)).toEqual([])
  })
})

describe('table prefixes and case', () => {
  it('refuses capitals, which SQLite ignores in table names, naming the prefix to use', () => {
    const db = new DatabaseSync(':memory:')
    const message =
      "sqliteStore: tablePrefix must be lowercase letters, digits and underscores, not starting with a digit (SQLite ignores case in table names, so 'Tenant_' would name the tables of 'tenant_'): use 'tenant_'"
    expect(() => sqliteStore({ database: db, tablePrefix: 'Tenant_', migrate: true })).toThrow(
      new OcpiConfigError(message),
    )
    expect(() => migrate(db, { tablePrefix: 'Tenant_' })).toThrow(new OcpiConfigError(message))
    expect(tablesOf(db)).toEqual([])
  })

  it('finds tables made under a prefix with capitals (before they were refused) under its lowercase', async () => {
    const db = new DatabaseSync(':memory:')
    db.exec(migrationScript({ tablePrefix: 'tenant_' }).replaceAll('tenant_', 'Tenant_'))
    expect(migrate(db, { tablePrefix: 'tenant_' })).toEqual([])
    const store = sqliteStore({ database: db, tablePrefix: 'tenant_' })
    expect(await store.listPeers()).toEqual([])
    expect(tablesOf(db)).toContain('Tenant_peers')
    expect(tablesOf(db)).not.toContain('tenant_peers')
  })
})

describe('the schema check at start', () => {
  it('refuses an unmigrated database, saying what to run', () => {
    const db = new DatabaseSync(':memory:')
    expect(() => sqliteStore({ database: db })).toThrow(OcpiConfigError)
    expect(() => sqliteStore({ database: db, tablePrefix: 'x_' })).toThrow(
      "sqliteStore: the database has no x_* tables yet: run migrate(database, { tablePrefix: 'x_' }) first, or pass migrate: true",
    )
  })

  it('refuses a database at a newer schema version, even with migrate: true', () => {
    const db = new DatabaseSync(':memory:')
    migrate(db)
    db.exec(`INSERT INTO ocpi_migrations VALUES (${SCHEMA_VERSION + 1}, 'newer', 0)`)
    expect(() => sqliteStore({ database: db })).toThrow(/newer than .* knows/)
    expect(() => sqliteStore({ database: db, migrate: true })).toThrow(/newer than .* knows/)
  })

  it('with migrate: true, migrates first', async () => {
    const db = new DatabaseSync(':memory:')
    const store = sqliteStore({ database: db, migrate: true })
    expect(versionsOf(db)).toEqual(ALL)
    expect(await store.listPeers()).toEqual([])
  })

  it('upgrades tables at version 1 (with their data) to the current version', async () => {
    const db = new DatabaseSync(':memory:')
    db.exec(`BEGIN; ${migrations[0]?.sql() ?? ''} COMMIT;`)
    expect(() => sqliteStore({ database: db })).toThrow(/schema version 1, this package needs/)
    db.exec(`INSERT INTO ocpi_peers VALUES ('kept', 'invited', 0, 0, NULL, '{}')`)
    const store = sqliteStore({ database: db, migrate: true })
    expect(versionsOf(db)).toEqual(ALL)
    expect((await store.getPeer('kept'))?.id).toBe('kept')
    expect(await store.acquireLease({ name: 'probe:kept', holder: 'i1', until: 2, now: 1 })).toBe(true)
  })

  it('accepts a schema a host applied from the SQL itself, migration by migration', async () => {
    const db = new DatabaseSync(':memory:')
    for (const { sql } of migrations) db.exec(`BEGIN; ${sql({ tablePrefix: 'h_' })} COMMIT;`)
    const store = sqliteStore({ database: db, tablePrefix: 'h_' })
    expect(await store.listPeers()).toEqual([])
    expect(migrate(db, { tablePrefix: 'h_' })).toEqual([])
  })

  it('accepts a schema a host applied from the whole script', async () => {
    const scripted = new DatabaseSync(':memory:')
    scripted.exec(migrationScript())
    const migrated = new DatabaseSync(':memory:')
    migrate(migrated)
    const schema = (db: DatabaseSync) =>
      db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all()
    expect(schema(scripted)).toEqual(schema(migrated))
    expect(versionsOf(scripted)).toEqual(versionsOf(migrated))
    expect(migrate(scripted)).toEqual([])
    expect(await sqliteStore({ database: scripted }).listPeers()).toEqual([])
  })
})
