// @ocpi-credentials/postgres: the PostgreSQL store. Everything here is documented with TSDoc and an example.

export { type ChangeFeedOptions, createChangeFeed, type PostgresChangeFeed } from './change-feed.js'
export { type Migration, migrate, migrationScript, migrations, SCHEMA_VERSION } from './migrations.js'
export type { TableLocation } from './names.js'
export { type PostgresStore, type PostgresStoreOptions, postgresStore } from './postgres-store.js'
