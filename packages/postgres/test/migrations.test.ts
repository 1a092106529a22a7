// Migrations: run from code by several instances at once, or read as SQL; the store refuses tables
// that are not at its schema version, with a message that says what to do.
import { randomBytes } from 'node:crypto'
import { OcpiConfigError, OcpiError } from '@ocpi-credentials/core'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import {
  createChangeFeed,
  migrate,
  migrationScript,
  migrations,
  postgresStore,
  SCHEMA_VERSION,
} from '../src/index.js'
import { DATABASE_URL } from './database.js'

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 })
const schemas: string[] = []

function freshSchema(): string {
  const schema = `ocpi_test_migrations_${randomBytes(4).toString('hex')}`
  schemas.push(schema)
  return schema
}

afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await pool.end()
})

async function tablesOf(schema: string): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
    [schema],
  )
  return rows.map((row) => row.name)
}

describe('migrations', () => {
  it('several instances migrating at once: one applies each version, the others find nothing to do', async () => {
    const schema = freshSchema()
    const results = await Promise.all([1, 2, 3].map(() => migrate(pool, { schema })))
    expect(results.flat().sort()).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1))
    expect(await migrate(pool, { schema })).toEqual([])
    expect(await tablesOf(schema)).toEqual(['ocpi_leases', 'ocpi_migrations', 'ocpi_peers', 'ocpi_tokens'])
  })

  // At REPEATABLE READ or SERIALIZABLE, a transaction's snapshot is taken by its first statement: one
  // taken before waiting for the lock would not see what the instance holding it committed.
  it.each(['repeatable read', 'serializable'])(
    'several instances migrating one new schema at once, the default isolation being %s, all succeed',
    async (isolation) => {
      const strict = new pg.Pool({
        connectionString: DATABASE_URL,
        max: 4,
        options: `-c default_transaction_isolation=${isolation.replace(' ', '\\ ')}`,
      })
      const schema = freshSchema()
      // The test holds migrate's lock (per schema) until all three are queued behind it, then lets go.
      const gate = await pool.connect()
      try {
        await gate.query('BEGIN')
        await gate.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ocpi-credentials:${schema}`])
        const { rows } = await gate.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
        const settled = Promise.allSettled([1, 2, 3].map(() => migrate(strict, { schema })))
        await expect
          .poll(async () => {
            const waiting = await pool.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
              [rows[0]?.pid],
            )
            return waiting.rows[0]?.n
          })
          .toBe(3)
        await gate.query('COMMIT')
        const outcomes = (await settled).map((s) => (s.status === 'rejected' ? String(s.reason) : s.value))
        expect(outcomes.flat().sort()).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1))
        expect(await tablesOf(schema)).toEqual([
          'ocpi_leases',
          'ocpi_migrations',
          'ocpi_peers',
          'ocpi_tokens',
        ])
      } finally {
        await gate.query('ROLLBACK') // a no-op once committed; should the test fail first, lets go of the lock
        gate.release()
        await strict.end()
      }
    },
  )

  it('stores with different prefixes migrating one new schema at once all succeed', async () => {
    // Each would create the schema: the advisory lock is per schema, so they take turns.
    for (let round = 0; round < 5; round++) {
      const schema = freshSchema()
      const settled = await Promise.allSettled(
        ['a_', 'b_', 'c_'].map((tablePrefix) => migrate(pool, { schema, tablePrefix })),
      )
      expect(settled.map((s) => (s.status === 'rejected' ? String(s.reason) : 'ok'))).toEqual([
        'ok',
        'ok',
        'ok',
      ])
      expect(await tablesOf(schema)).toHaveLength(12)
    }
  })

  it('a role that owns its schema but may not create schemas in the database migrates it, by code or by script', async () => {
    // The usual least-privilege set-up: a DBA creates the schema for the application's role.
    const role = `ocpi_test_app_${randomBytes(4).toString('hex')}`
    const [owned, scripted] = [freshSchema(), freshSchema()]
    await pool.query(`CREATE ROLE "${role}" LOGIN`)
    const url = new URL(DATABASE_URL)
    url.username = role
    const app = new pg.Pool({ connectionString: url.toString(), max: 2 })
    try {
      for (const schema of [owned, scripted])
        await pool.query(`CREATE SCHEMA "${schema}" AUTHORIZATION "${role}"`)
      expect(await migrate(app, { schema: owned })).toEqual(migrations.map((m) => m.version))
      expect(await migrate(app, { schema: owned })).toEqual([]) // the no-op of every start
      expect(await postgresStore(app, { schema: owned }).getPeer('nobody')).toBeNull()
      await app.query(migrationScript({ schema: scripted }))
      expect(await tablesOf(scripted)).toEqual([
        'ocpi_leases',
        'ocpi_migrations',
        'ocpi_peers',
        'ocpi_tokens',
      ])
      // Without CREATE on the database, a missing schema is still refused, as PostgreSQL says.
      await expect(migrate(app, { schema: freshSchema() })).rejects.toThrow(/permission denied for database/)
    } finally {
      await app.end()
      for (const schema of [owned, scripted]) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await pool.query(`DROP ROLE IF EXISTS "${role}"`)
    }
  })

  it('upgrades tables at version 1, data included, to the current version', async () => {
    const schema = freshSchema()
    await pool.query(migrations[0]?.sql({ schema }) ?? '')
    await pool.query(
      `INSERT INTO "${schema}".ocpi_peers VALUES ('kept', 'invited', 0, 0, NULL, '{"origin":"invitation"}')`,
    )
    const store = postgresStore(pool, { schema })
    await expect(store.getPeer('kept')).rejects.toThrow(/schema version 1, this package needs/)
    expect(await migrate(pool, { schema })).toEqual(migrations.slice(1).map((m) => m.version))
    expect((await store.getPeer('kept'))?.id).toBe('kept')
    expect(await store.acquireLease({ name: 'probe:kept', holder: 'i1', until: 2, now: 1 })).toBe(true)
  })

  it('honours the table prefix', async () => {
    const schema = freshSchema()
    await migrate(pool, { schema, tablePrefix: 'roaming_' })
    expect(await tablesOf(schema)).toEqual([
      'roaming_leases',
      'roaming_migrations',
      'roaming_peers',
      'roaming_tokens',
    ])
    const store = postgresStore(pool, { schema, tablePrefix: 'roaming_' })
    expect(await store.listPeers()).toEqual([])
  })

  it("a host's own tool applying each migration's SQL in turn gets tables the store and migrate accept", async () => {
    const schema = freshSchema()
    for (const m of migrations) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query(m.sql({ schema, tablePrefix: 'own_' }))
        await client.query('COMMIT')
      } finally {
        client.release()
      }
    }
    expect(await tablesOf(schema)).toEqual(['own_leases', 'own_migrations', 'own_peers', 'own_tokens'])
    expect(await migrate(pool, { schema, tablePrefix: 'own_' })).toEqual([])
    expect(await postgresStore(pool, { schema, tablePrefix: 'own_' }).getPeer('nobody')).toBeNull()
  })

  it('the SQL script builds the same tables, and the store accepts them', async () => {
    const schema = freshSchema()
    await pool.query(migrationScript({ schema }))
    expect(await tablesOf(schema)).toEqual(['ocpi_leases', 'ocpi_migrations', 'ocpi_peers', 'ocpi_tokens'])
    expect(await migrate(pool, { schema })).toEqual([])
    expect(await postgresStore(pool, { schema }).getPeer('nobody')).toBeNull()
  })

  it('the store refuses unmigrated tables, and tables newer than itself, saying what to do', async () => {
    const schema = freshSchema()
    const store = postgresStore(pool, { schema })
    // The remedy names these tables: following it to the letter migrates them, not the default ones.
    await expect(store.getPeer('x')).rejects.toThrow(
      new RegExp(
        `schema version 0, this package needs \\d+: run migrate\\(pool, \\{ schema: '${schema}' \\}\\) first`,
      ),
    )
    await migrate(pool, { schema })
    expect(await store.getPeer('x')).toBeNull() // the failed check is not remembered

    const ahead = freshSchema()
    await migrate(pool, { schema: ahead })
    await pool.query(
      `INSERT INTO "${ahead}".ocpi_migrations (version, name) VALUES ($1, 'from the future')`,
      [SCHEMA_VERSION + 1],
    )
    const store2 = postgresStore(pool, { schema: ahead })
    const error = await Promise.resolve()
      .then(() => store2.findToken('0'.repeat(64) as never))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OcpiError)
    expect((error as OcpiError).message).toMatch(/newer than this package/)
  })

  it('rejects names that are not plain lowercase identifiers, before touching the database', () => {
    expect(() => postgresStore(pool, { schema: 'public; DROP TABLE x' })).toThrow(OcpiConfigError)
    expect(() => postgresStore(pool, { tablePrefix: 'Ocpi"' })).toThrow(OcpiConfigError)
    expect(() => postgresStore(pool, { tablePrefix: 'x'.repeat(60) })).toThrow(OcpiConfigError)
    expect(() => postgresStore({} as pg.Pool)).toThrow(OcpiError)
  })

  it('refuses a pg.Client, which runs reads but not a transaction of its own, before touching the database', async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL })
    await client.connect()
    try {
      const asPool = client as unknown as pg.Pool
      expect(() => postgresStore(asPool, { schema: freshSchema() })).toThrow(/needs a pg Pool, not a Client/)
      await expect(migrate(asPool, { schema: freshSchema() })).rejects.toThrow(
        /needs a pg Pool, not a Client/,
      )
      expect(() => createChangeFeed(asPool, 'public_ocpi_changes')).toThrow(/needs a pg Pool, not a Client/)
    } finally {
      await client.end()
    }
  })
})
