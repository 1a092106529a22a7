import { OcpiConfigError } from '@ocpi-credentials/core'

/** The prefix of every table and index name when none is configured. */
export const DEFAULT_TABLE_PREFIX = 'ocpi_'

/** What a prefix may be: it is written into SQL as part of identifiers, so nothing but a safe name. */
const PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The names of the store's tables (and of the prefix they were made from). */
export interface TableNames {
  readonly prefix: string
  readonly peers: string
  readonly tokens: string
  readonly migrations: string
  readonly leases: string
}

/**
 * The table names for a prefix, checked: a prefix that is not a plain SQL name (letters, digits and
 * underscores, not starting with a digit) is a configuration error.
 */
export function tableNamesOf(prefix: string | undefined): TableNames {
  const chosen = prefix ?? DEFAULT_TABLE_PREFIX
  if (typeof chosen !== 'string' || !PREFIX_PATTERN.test(chosen)) {
    throw new OcpiConfigError(
      'sqliteStore: tablePrefix must be letters, digits and underscores, not starting with a digit',
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
