/**
 * `@ocpi-credentials/sqlite`: the SQLite store of `@ocpi-credentials`, on Node's built-in `node:sqlite`.
 * An embedded durable store for single-instance platforms and local development.
 *
 * @packageDocumentation
 */

export { migrate } from './migrate.js'
export {
  type Migration,
  migrationScript,
  migrations,
  SCHEMA_VERSION,
  type TableLocation,
} from './migrations.js'
export type { SqliteStore, SqliteStoreOptions, SqliteStoreSettings } from './options.js'
export { sqliteStore } from './sqlite-store.js'
