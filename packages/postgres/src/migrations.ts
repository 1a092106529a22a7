import type { Pool } from 'pg'
import { type Names, namesOf, type TableLocation } from './names.js'
import { checkPool } from './transaction.js'

/**
 * One schema migration: a version, a name, and its SQL for a given table location. Its `sql` is complete:
 * it makes the change and records `version` in the migrations table (creating the schema and that table
 * when missing), so that running each one in order, each in a transaction, with any migration tool is
 * the same as {@link migrate} applying it.
 *
 * @example
 * ```ts
 * for (const m of migrations) console.log(m.version, m.name)
 * ```
 */
export interface Migration {
  /** Applied in ascending order; recorded in the migrations table. */
  readonly version: number
  /** What it does, for humans. */
  readonly name: string
  /** Its SQL for the given schema and table prefix, the record of its version included. */
  readonly sql: (location?: TableLocation) => string
}

/** A migration's change and the record of its version, for `location`. */
function step(version: number, name: string, change: (n: Names) => string): Migration {
  return {
    version,
    name,
    sql: (location) => {
      const n = namesOf(location)
      return `${bookkeeping(n)}${change(n)}INSERT INTO ${n.migrations} (version, name) VALUES (${version}, '${name}');\n`
    },
  }
}

const TOKEN_KINDS = [
  'invitation',
  'consumed-invitation',
  'pending-registration',
  'pending-rotation',
  'current',
  'previous',
]

function initialSchema(n: Names): string {
  const kinds = TOKEN_KINDS.map((kind) => `'${kind}'`).join(', ')
  return `
CREATE TABLE ${n.peers} (
  -- Collation "C": ids order by code point, as the contract's keyset pagination expects.
  id text COLLATE "C" PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('invited', 'registering', 'registered', 'unregistered')),
  revision bigint NOT NULL,
  updated_at bigint NOT NULL,
  last_contact_at bigint,
  -- The rest of the record. Its only secret, the outbound token, is sealed (JWE) before it gets here.
  record json NOT NULL
);
CREATE INDEX ${n.index('peers_state')} ON ${n.peers} (state, id);
CREATE TABLE ${n.tokens} (
  -- SHA-256 of an issued token: the token itself is never stored.
  digest text PRIMARY KEY,
  peer_id text COLLATE "C" NOT NULL REFERENCES ${n.peers} (id),
  kind text NOT NULL CHECK (kind IN (${kinds})),
  created_at bigint NOT NULL,
  expires_at bigint,
  supersedes text,
  -- Sealed (JWE), like the outbound token.
  successor text
);
CREATE INDEX ${n.index('tokens_peer_id')} ON ${n.tokens} (peer_id);
CREATE INDEX ${n.index('tokens_expires_at')} ON ${n.tokens} (expires_at) WHERE expires_at IS NOT NULL;
`
}

/** Leases, so that a periodic job (a liveness probe, a scheduled rotation) runs once per peer. */
function leases(n: Names): string {
  return `
CREATE TABLE ${n.leases} (
  name text COLLATE "C" PRIMARY KEY,
  holder text NOT NULL,
  until bigint NOT NULL
);
`
}

/**
 * Every migration of the store's schema, oldest first. `migrate` applies them; a host that runs its own
 * migration tool can give it each one's SQL as one migration of its own (each records its version, so
 * `migrate` and the store see what the tool applied), or take {@link migrationScript} on a fresh database.
 *
 * @example
 * ```ts
 * for (const m of migrations) await writeFile(`migrations/${m.version}_ocpi_${m.name}.sql`, m.sql({ schema: 'roaming' }))
 * ```
 */
export const migrations: readonly Migration[] = [
  step(1, 'peers and tokens', initialSchema),
  step(2, 'leases', leases),
]

/**
 * The schema version this package works with: the version of the newest migration.
 *
 * @example
 * ```ts
 * if (applied < SCHEMA_VERSION) await migrate(pool)
 * ```
 */
export const SCHEMA_VERSION = migrations.reduce((newest, m) => Math.max(newest, m.version), 0)

/**
 * The schema and the migrations table, when missing. `CREATE SCHEMA IF NOT EXISTS` needs the CREATE
 * privilege on the database even when the schema exists: it runs only when the schema is missing, so a
 * role that owns its schema and may create nothing else can migrate it.
 */
function bookkeeping(n: Names): string {
  return `DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = '${n.schemaName}') THEN
    CREATE SCHEMA IF NOT EXISTS ${n.schema};
  END IF;
END
$$;
CREATE TABLE IF NOT EXISTS ${n.migrations} (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
`
}

/**
 * The whole schema as one SQL script, with the bookkeeping `migrate` does (the migrations table and its
 * rows), for hosts that apply SQL with their own tools. Running it on a database that `migrate` already
 * brought up to date fails on the existing tables: use it on a fresh database only.
 *
 * @example
 * ```ts
 * await writeFile('0001_ocpi_credentials.sql', migrationScript({ schema: 'roaming' }))
 * ```
 */
export function migrationScript(location: TableLocation = {}): string {
  const steps = migrations.map((m) => `-- ${m.version}: ${m.name}\n${m.sql(location)}`)
  return `BEGIN;\n${steps.join('\n')}COMMIT;\n`
}

/**
 * Brings the store's tables up to date, in one transaction, and returns the versions it applied
 * (empty when there was nothing to do). Safe to call from several instances starting at once: a
 * transaction-scoped advisory lock lets one migrate while the others wait, then find nothing to do. The
 * transaction runs at READ COMMITTED whatever the database's default isolation, so that a waiter reads
 * the migrations table as the previous holder of the lock left it.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { migrate, postgresStore } from '@ocpi-credentials/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'] })
 * await migrate(pool)
 * const store = postgresStore(pool)
 * ```
 */
export async function migrate(pool: Pool, location: TableLocation = {}): Promise<number[]> {
  checkPool(pool, 'migrate')
  const n = namesOf(location)
  const client = await pool.connect()
  // A connection lost meanwhile rejects `migrate` (no unhandled `error` event) and is not reused.
  let broken: Error | undefined
  const onError = (error: Error) => {
    broken ??= error
  }
  client.on('error', onError)
  try {
    // READ COMMITTED whatever the database's default: each statement then reads with a snapshot of its
    // own, taken once the lock is ours, and sees what the instance that held it before committed. (At
    // REPEATABLE READ or SERIALIZABLE the lock statement itself would take the transaction's snapshot,
    // before waiting: a waiter would find no migration recorded and apply them all again.) The lock is
    // the transaction's: commit, rollback or a lost connection releases it, so none can stay held.
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED')
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [n.lockKey])
    await client.query(bookkeeping(n))
    const done = await client.query<{ version: number }>(`SELECT version FROM ${n.migrations}`)
    const known = new Set(done.rows.map((row) => row.version))
    const applied: number[] = []
    for (const m of migrations) {
      if (known.has(m.version)) continue
      await client.query(m.sql(location))
      applied.push(m.version)
    }
    await client.query('COMMIT')
    return applied
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken ??= rollbackError
    })
    throw error
  } finally {
    client.off('error', onError)
    client.release(broken)
  }
}
