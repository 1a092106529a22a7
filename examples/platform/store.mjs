// Opens the store STORE names (see config.mjs), migrating durable ones on start. Returns the store and
// how to close it (after the SDK instance is closed).
import { memoryStore } from '@ocpi-credentials/core'

export async function openStore(config, logger) {
  switch (config.kind) {
    case 'memory':
      return { store: memoryStore(), close: async () => undefined }
    case 'postgres': {
      const [{ default: pg }, { migrate, postgresStore }] = await Promise.all([
        import('pg'),
        import('@ocpi-credentials/postgres'),
      ])
      const pool = new pg.Pool({ connectionString: config.url })
      // An idle connection dropped by the server must not crash the process; the pool replaces it.
      pool.on('error', (error) => logger.warn('postgres: idle connection lost', { code: error.code }))
      const applied = await migrate(pool, { schema: config.schema })
      logger.info('postgres store ready', { schema: config.schema, migrationsApplied: applied })
      const store = postgresStore(pool, { schema: config.schema, listen: true })
      return {
        store,
        close: async () => {
          await store.close()
          await pool.end()
        },
      }
    }
    case 'sqlite': {
      const { sqliteStore } = await import('@ocpi-credentials/sqlite')
      const store = sqliteStore({ path: config.path, migrate: true })
      logger.info('sqlite store ready', { path: config.path })
      return { store, close: async () => store.close() }
    }
  }
}
