import { type TableNames, tableNamesOf } from './table-names.js'

/**
 * Where the store's tables are in the database: their names' prefix (default `ocpi_`: `ocpi_peers`,
 * `ocpi_tokens`, `ocpi_leases`, `ocpi_migrations`), so that several stores can share one database file.
 *
 * @example
 * ```ts
 * const location: TableLocation = { tablePrefix: 'billing_ocpi_' }
 * ```
 */
export interface TableLocation {
  /** Lowercase letters, digits and underscores, not starting with a digit. */
  readonly tablePrefix?: string
}

/**
 * One versioned step of the store's schema. Its `sql` is complete: it makes the change and records
 * `version` in the migrations table, so that running it (in one transaction) with any SQLite tool is the
 * same as {@link migrate} applying it.
 *
 * @example
 * ```ts
 * for (const { version, name, sql } of migrations) console.log(version, name, sql().length)
 * ```
 */
export interface Migration {
  /** Applied in ascending order, each once; the database records the versions it holds. */
  readonly version: number
  /** A short name, for people. */
  readonly name: string
  /** The statements for tables at `location`, separated by semicolons. */
  readonly sql: (location?: TableLocation) => string
}

/** The SQL that records a migration as applied (milliseconds since the epoch, like every other time). */
function recorded(names: TableNames, version: number, name: string): string {
  return `INSERT INTO ${names.migrations} (version, name, applied_at)
  VALUES (${version}, '${name}', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));`
}

/** Version 1: the migrations table, peers and tokens. */
function initialSchema(names: TableNames): string {
  const { prefix, migrations, peers, tokens } = names
  return `CREATE TABLE IF NOT EXISTS ${migrations} (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT;

-- One row per peer. The columns the store filters on or merges, plus the rest of the record as JSON.
-- Ids order with the default BINARY collation, as plain strings.
CREATE TABLE ${peers} (
  id              TEXT NOT NULL PRIMARY KEY,
  state           TEXT NOT NULL,
  revision        INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_contact_at INTEGER,
  record          TEXT NOT NULL
) STRICT;
CREATE INDEX ${prefix}peers_by_state ON ${peers} (state, id);

-- Issued tokens, by the SHA-256 digest of the token: never the token itself. The digest is the key of
-- the table's one b-tree (WITHOUT ROWID), so finding a token is one indexed read.
CREATE TABLE ${tokens} (
  digest     TEXT NOT NULL PRIMARY KEY,
  peer_id    TEXT NOT NULL REFERENCES ${peers} (id),
  kind       TEXT NOT NULL CHECK (kind IN ('invitation', 'consumed-invitation', 'pending-registration',
                                           'pending-rotation', 'current', 'previous')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  supersedes TEXT,
  successor  TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX ${prefix}tokens_by_peer ON ${tokens} (peer_id);
CREATE INDEX ${prefix}tokens_by_expiry ON ${tokens} (expires_at);
`
}

/** Version 2: leases, so that a periodic job (a liveness probe, a scheduled rotation) runs once per peer. */
function leases(names: TableNames): string {
  return `CREATE TABLE ${names.leases} (
  name   TEXT NOT NULL PRIMARY KEY,
  holder TEXT NOT NULL,
  until  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`
}

/** A migration from its schema change: its `sql` checks the prefix and ends by recording itself. */
function migration(version: number, name: string, change: (names: TableNames) => string): Migration {
  return {
    version,
    name,
    sql: (location = {}) => {
      const names = tableNamesOf(location.tablePrefix)
      return `${change(names)}\n${recorded(names, version, name)}\n`
    },
  }
}

/**
 * The store's schema as data: every migration, in ascending order. {@link migrate} applies them; a host
 * with its own migration tool can apply each one's `sql` itself instead, in one transaction.
 *
 * @example
 * ```ts
 * import { migrations } from '@ocpi-credentials/sqlite'
 *
 * // Write them out for the host's migration tool.
 * for (const m of migrations) writeFileSync(`migrations/ocpi-${m.version}-${m.name}.sql`, m.sql())
 * ```
 */
export const migrations: readonly Migration[] = [
  migration(1, 'initial', initialSchema),
  migration(2, 'leases', leases),
]

/**
 * The schema version this package reads and writes: that of the newest migration. The store refuses to
 * start on tables at any other version.
 *
 * @example
 * ```ts
 * const applied = migrate(database)
 * console.log(`ocpi tables at version ${SCHEMA_VERSION}; applied now: ${applied.join(', ') || 'none'}`)
 * ```
 */
export const SCHEMA_VERSION = migrations.reduce((newest, m) => Math.max(newest, m.version), 0)

/**
 * Every migration as one script, in one transaction, for hosts that apply SQL with their own tools: on a
 * fresh database it leaves the same tables and records as {@link migrate}.
 *
 * @example
 * ```ts
 * writeFileSync('0001_ocpi_credentials.sql', migrationScript({ tablePrefix: 'ocpi_' }))
 * // sqlite3 /var/lib/cpo/ocpi.db < 0001_ocpi_credentials.sql
 * ```
 */
export function migrationScript(location: TableLocation = {}): string {
  const steps = migrations.map((m) => `-- ${m.version}: ${m.name}\n${m.sql(location)}`)
  return `BEGIN IMMEDIATE;\n${steps.join('\n')}COMMIT;\n`
}
