// A PostgreSQL schema of its own for each test file (on the machine's server, 127.0.0.1:5432, database
// `test`), dropped at the end: runs never see each other's data, and nothing is left behind.
import { randomBytes } from 'node:crypto'
import type { PeerRecord, TokenDigest, TokenRecord } from '@ocpi-credentials/core'
import type { RawStoreView } from '@ocpi-credentials/testing'
import pg from 'pg'
import { migrate } from '../src/index.js'

export const DATABASE_URL = process.env['OCPI_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface TestDatabase {
  readonly pool: pg.Pool
  readonly schema: string
  /** A second pool on the same database, as another instance of the platform would have. */
  readonly otherPool: () => pg.Pool
  /** Empties the tables (between cases). */
  readonly truncate: () => Promise<void>
  /** Reads the tables with plain SELECTs: the conformance suite's raw view. */
  readonly raw: RawStoreView
  /** Every value of every row of the schema's tables, as text. */
  readonly dump: () => Promise<string>
  readonly drop: () => Promise<void>
}

/** `poolOptions` go to every pool (e.g. `options: '-c default_transaction_isolation=serializable'`). */
export async function createTestDatabase(
  label: string,
  poolOptions: pg.PoolConfig = {},
): Promise<TestDatabase> {
  const schema = `ocpi_test_${label}_${randomBytes(4).toString('hex')}`
  const pools: pg.Pool[] = []
  const newPool = () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10, ...poolOptions })
    pool.on('error', () => undefined) // idle clients killed by a test (pg_terminate_backend) are expected
    pools.push(pool)
    return pool
  }
  const pool = newPool()
  await migrate(pool, { schema })
  const table = (name: string) => `"${schema}"."ocpi_${name}"`
  const raw: RawStoreView = {
    async peer(id) {
      const { rows } = await pool.query(`SELECT * FROM ${table('peers')} WHERE id = $1`, [id])
      return rows[0] === undefined ? null : rawPeer(rows[0])
    },
    async token(digest) {
      const { rows } = await pool.query(`SELECT * FROM ${table('tokens')} WHERE digest = $1`, [digest])
      return rows[0] === undefined ? null : rawToken(rows[0])
    },
    async tokensOf(peerId) {
      const { rows } = await pool.query(`SELECT * FROM ${table('tokens')} WHERE peer_id = $1`, [peerId])
      return rows.map(rawToken)
    },
  }
  return {
    pool,
    schema,
    otherPool: newPool,
    truncate: async () => {
      await pool.query(`TRUNCATE ${table('tokens')}, ${table('peers')}, ${table('leases')}`)
    },
    raw,
    dump: async () => {
      const { rows } = await pool.query<{ row: string }>(
        `SELECT t::text AS row FROM ${table('peers')} t UNION ALL SELECT t::text FROM ${table('tokens')} t
         UNION ALL SELECT t::text FROM ${table('migrations')} t`,
      )
      return rows.map((r) => r.row).join('\n')
    },
    drop: async () => {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`)
      await Promise.all(pools.map((p) => p.end()))
    },
  }
}

const num = (value: string | null) => (value === null ? null : Number(value))

function rawPeer(row: Record<string, unknown>): PeerRecord {
  return {
    ...(row['record'] as object),
    id: row['id'],
    state: row['state'],
    revision: Number(row['revision']),
    updatedAt: Number(row['updated_at']),
    lastContactAt: num(row['last_contact_at'] as string | null),
  } as PeerRecord
}

function rawToken(row: Record<string, unknown>): TokenRecord {
  return {
    digest: row['digest'] as TokenDigest,
    peerId: row['peer_id'] as string,
    kind: row['kind'] as TokenRecord['kind'],
    createdAt: Number(row['created_at']),
    expiresAt: num(row['expires_at'] as string | null),
    supersedes: row['supersedes'] as TokenDigest | null,
    successor: row['successor'] as TokenRecord['successor'],
  }
}
