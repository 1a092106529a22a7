import { OcpiConfigError } from '@ocpi-credentials/core'

/**
 * Where the store's tables live: a schema (default `public`) and a prefix for table names (default
 * `ocpi_`), so several stores can share a database.
 *
 * @example
 * ```ts
 * const location: TableLocation = { schema: 'roaming', tablePrefix: 'ocpi_' }
 * ```
 */
export interface TableLocation {
  /**
   * The PostgreSQL schema holding the tables: created by the first migration if missing, used as it is
   * otherwise (a role that owns it needs no CREATE privilege on the database).
   */
  readonly schema?: string
  /** Prepended to every table, index and notification channel name. */
  readonly tablePrefix?: string
}

/** The quoted, validated names of everything the store touches. Internal. */
export interface Names {
  readonly schema: string
  /** The schema's name unquoted, as a value (e.g. compared with `pg_namespace.nspname`). */
  readonly schemaName: string
  readonly peers: string
  readonly tokens: string
  readonly migrations: string
  readonly leases: string
  /** Unquoted index names (created in the tables' schema). */
  readonly index: (name: string) => string
  /** The LISTEN/NOTIFY channel (an identifier, unquoted; passed as a value to `pg_notify`). */
  readonly channel: string
  /**
   * A key for `pg_advisory_xact_lock`, the same for every instance migrating tables of this schema: per
   * schema, not per prefix, since stores with different prefixes may create the same new schema at once.
   */
  readonly lockKey: string
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/
/** PostgreSQL truncates identifiers to 63 bytes; ours must stay distinct, so they must fit. */
const MAX_IDENTIFIER = 63

/**
 * Whether `name` is an identifier the store uses as it is: lowercase ASCII letters, digits and
 * underscores, not starting with a digit, at most 63 characters (what PostgreSQL keeps of a name).
 *
 * @example
 * ```ts
 * isPlainIdentifier('public_ocpi_changes') // true
 * isPlainIdentifier('Changes') // false: unquoted, PostgreSQL would fold it to `changes`
 * ```
 */
export function isPlainIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && name.length <= MAX_IDENTIFIER
}

function quote(identifier: string): string {
  return `"${identifier}"`
}

/**
 * Validates a table location and derives every name from it. Only lowercase ASCII letters, digits and
 * underscores are accepted: no quoting rule can then be got wrong, and unquoted uses agree with quoted.
 *
 * @example
 * ```ts
 * const names = namesOf({ schema: 'public', tablePrefix: 'ocpi_' })
 * ```
 */
export function namesOf(location: TableLocation = {}): Names {
  const schema = location.schema ?? 'public'
  const prefix = location.tablePrefix ?? 'ocpi_'
  if (!IDENTIFIER.test(schema)) {
    throw new OcpiConfigError(`schema "${schema}" must match ${IDENTIFIER} (lowercase letters, digits, _)`)
  }
  if (prefix !== '' && !/^[a-z0-9_]*$/.test(prefix)) {
    throw new OcpiConfigError(`tablePrefix "${prefix}" must contain only lowercase letters, digits and _`)
  }
  const longest = `${prefix}tokens_expires_at`
  if (longest.length > MAX_IDENTIFIER || `${schema}_${prefix}changes`.length > MAX_IDENTIFIER) {
    throw new OcpiConfigError(`schema and tablePrefix are too long for PostgreSQL identifiers`)
  }
  const table = (name: string) => `${quote(schema)}.${quote(`${prefix}${name}`)}`
  return {
    schema: quote(schema),
    schemaName: schema,
    peers: table('peers'),
    tokens: table('tokens'),
    migrations: table('migrations'),
    leases: table('leases'),
    index: (name) => quote(`${prefix}${name}`),
    channel: `${schema}_${prefix}changes`,
    lockKey: `ocpi-credentials:${schema}`,
  }
}
