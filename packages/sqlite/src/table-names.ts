import { OcpiConfigError } from '@ocpi-credentials/core'

/** The prefix of every table and index name when none is configured. */
export const DEFAULT_TABLE_PREFIX = 'ocpi_'

/**
 * What a prefix may be: it is written into SQL as part of identifiers, so nothing but a safe name; and
 * lowercase, as in the PostgreSQL store, since SQLite ignores case in table names: `Tenant_` and
 * `tenant_` would name the same tables while the store told them apart.
 */
const PREFIX_PATTERN = /^[a-z_][a-z0-9_]*$/

/** The names of the store's tables (and of the prefix they were made from). */
export interface TableNames {
  readonly prefix: string
  readonly peers: string
  readonly tokens: string
  readonly migrations: string
  readonly leases: string
}

/**
 * The table names for a prefix, checked: a prefix that is not a plain lowercase SQL name (lowercase
 * letters, digits and underscores, not starting with a digit) is a configuration error.
 */
export function tableNamesOf(prefix: string | undefined): TableNames {
  const chosen = prefix ?? DEFAULT_TABLE_PREFIX
  if (typeof chosen !== 'string' || !PREFIX_PATTERN.test(chosen)) {
    throw new OcpiConfigError(
      `sqliteStore: tablePrefix must be lowercase letters, digits and underscores, not starting with a digit${caseHint(chosen)}`,
    )
  }
  return {
    prefix: chosen,
    peers: `${chosen}peers`,
    tokens: `${chosen}tokens`,
    migrations: `${chosen}migrations`,
    leases: `${chosen}leases`,
  }
}

/** For a prefix whose only fault is its capitals: why, and the prefix that names the same tables. */
function caseHint(prefix: unknown): string {
  // SQLite folds ASCII letters only: a prefix with other characters has another fault.
  if (typeof prefix !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) return ''
  const lower = prefix.toLowerCase()
  return ` (SQLite ignores case in table names, so '${prefix}' would name the tables of '${lower}'): use '${lower}'`
}
