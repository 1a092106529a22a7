// Connections to PostgreSQL that die under the store: killed by the server (a failover, a DBA's
// pg_terminate_backend) in the middle of an operation, or gone silent (a NAT or firewall dropping the
// flow: no FIN, no RST). The call fails as an error the core turns into OCPI 3000; the process never
// sees an unhandled `error` event (Vitest fails the run on one); the change feed notices silence.
import net from 'node:net'
import { memoryStore, type Ocpi, type StoreChange } from '@ocpi-credentials/core'
import pg from 'pg'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { migrate, postgresStore } from '../src/index.js'
import { createTestDatabase, DATABASE_URL, type TestDatabase } from './database.js'
import { Network } from './network.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('lost')
})
afterAll(async () => {
  await db?.drop()
})

/** Ends the server process of every session waiting for a lock in a statement starting with `prefix`. */
async function terminateWaiting(prefix: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const { rowCount } = await db.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND starts_with(query, $1) AND pid <> pg_backend_pid()`,
        [prefix],
      )
      expect(rowCount).toBe(1)
    },
    { timeout: 5_000, interval: 20 },
  )
}

/** A session of its own that takes a lock (`statement`) in an open transaction, until `release()`. */
async function holdLock(statement: string) {
  const session = new pg.Client({ connectionString: DATABASE_URL })
  await session.connect()
  await session.query('BEGIN')
  await session.query(statement)
  return {
    release: async () => {
      await session.query('ROLLBACK')
      await session.end()
    },
  }
}

it('a store transaction whose connection is killed rejects; the pool and the store carry on', async () => {
  const store = postgresStore(db.pool, { schema: db.schema })
  const ocpi = createCpo(store)
  const { peerId } = await ocpi.invite()
  const lock = await holdLock(`SELECT * FROM "${db.schema}".ocpi_peers WHERE id = '${peerId}' FOR UPDATE`)
  try {
    // revoke → revokeTokens: a transaction whose first UPDATE waits for the row lock.
    const revoking = ocpi.revoke(peerId)
    await terminateWaiting(`UPDATE "${db.schema}"`)
    await expect(revoking).rejects.toThrow(/terminat/i)
  } finally {
    await lock.release()
  }
  // Nothing was written, and the next operation gets a working connection.
  expect((await store.getPeer(peerId))?.state).toBe('invited')
  expect((await ocpi.revoke(peerId)).peer.state).toBe('invited')
  ocpi.close()
  await store.close()
})

it('migrate whose connection is killed rejects, and a later migrate succeeds', async () => {
  const schema = `${db.schema}_m`
  const lock = await holdLock(`CREATE SCHEMA "${schema}"`) // migrate's CREATE SCHEMA waits for it
  try {
    const migrating = migrate(db.pool, { schema })
    await terminateWaiting('CREATE SCHEMA IF NOT EXISTS')
    await expect(migrating).rejects.toThrow(/terminat/i)
  } finally {
    await lock.release()
  }
  expect(await migrate(db.pool, { schema })).toEqual([1, 2])
  await db.pool.query(`DROP SCHEMA "${schema}" CASCADE`)
})

it('a LISTEN connection gone silent is reported disconnected, replaced, and invalidates again', async () => {
  const proxy = await silenceableProxy()
  const viaProxy = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/test` })
  viaProxy.on('error', () => undefined) // the silenced connection, destroyed once given up
  const stores = [
    postgresStore(db.pool, { schema: db.schema, listen: true }),
    postgresStore(viaProxy, { schema: db.schema, listen: { heartbeatMs: 100 } }),
  ]
  const network = new Network()
  const cpo = network.site(
    'https://cpo.example.com',
    { role: 'CPO', countryCode: 'NL', partyId: 'CPO', options: { authCacheTtlMs: 60_000 } },
    (i) => stores[i] ?? memoryStore(),
    2,
  )
  const emsp = network.site(
    'https://emsp.example.com',
    { role: 'EMSP', countryCode: 'DE', partyId: 'MSP' },
    () => memoryStore(),
  )
  const [a, b] = cpo.instances as [Ocpi, Ocpi]
  const seen: StoreChange['type'][] = []
  const unsubscribe = stores[1]?.changes?.subscribe((change) => {
    if (change.type !== 'changed') seen.push(change.type)
  })
  try {
    const invitation = await a.invite()
    const emspOcpi = emsp.instances[0] as Ocpi
    const onEmsp = await emspOcpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    let header = ''
    network.before = (request) => {
      if (request.url.includes('/locations')) header = request.headers.get('authorization') ?? ''
    }
    await emspOcpi.client(onEmsp.id).request('locations', 'SENDER')
    const locations = () =>
      b.authenticate(
        new Request('https://cpo.example.com/ocpi/2.2.1/locations', { headers: { authorization: header } }),
        {
          module: 'locations',
        },
      )
    await vi.waitFor(() => expect(seen.at(-1)).toBe('connected'))
    seen.length = 0
    expect((await locations()).ok).toBe(true) // cached on b for up to 60 s

    proxy.silenceListening() // b's LISTEN connection now swallows everything, both ways
    await vi.waitFor(() => expect(seen).toEqual(['disconnected', 'connected']), { timeout: 5_000 })

    // On its new connection, b hears of a revocation on a again.
    expect((await locations()).ok).toBe(true)
    await a.revoke(invitation.peerId)
    await vi.waitFor(async () => expect((await locations()).ok).toBe(false), { timeout: 1_000, interval: 10 })
  } finally {
    unsubscribe?.()
    a.close()
    b.close()
    await Promise.all(stores.map((s) => s.close()))
    await viaProxy.end()
    proxy.close()
  }
})

it('close() does not wait for ever on a LISTEN connection gone silent', async () => {
  const proxy = await silenceableProxy()
  const viaProxy = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/test` })
  viaProxy.on('error', () => undefined)
  const store = postgresStore(viaProxy, { schema: db.schema, listen: { heartbeatMs: 60_000 } })
  const seen: StoreChange['type'][] = []
  store.changes?.subscribe((change) => seen.push(change.type))
  await vi.waitFor(() => expect(seen.at(-1)).toBe('connected'))
  proxy.silenceListening()
  // Not noticed yet (the next heartbeat is a minute away): close() gives UNLISTEN one heartbeat at most.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  try {
    const closing = store.close()
    await vi.advanceTimersByTimeAsync(60_000)
    await expect(closing).resolves.toBeUndefined()
  } finally {
    vi.useRealTimers()
  }
  await viaProxy.end()
  proxy.close()
})

function createCpo(store: ReturnType<typeof postgresStore>): Ocpi {
  const network = new Network()
  return network.site(
    'https://cpo.example.com',
    { role: 'CPO', countryCode: 'NL', partyId: 'CPO' },
    () => store,
  ).instances[0] as Ocpi
}

/**
 * A loopback TCP proxy to the database. `silenceListening()` makes every connection that has sent a
 * LISTEN drop whatever crosses it from then on, both ways, while its sockets stay open: what a dead NAT
 * mapping looks like to the client.
 */
async function silenceableProxy() {
  const links: { listening: boolean; silent: boolean; client: net.Socket; server: net.Socket }[] = []
  const proxy = net.createServer((client) => {
    const server = net.connect(5432, '127.0.0.1')
    const link = { listening: false, silent: false, client, server }
    links.push(link)
    client.on('data', (data) => {
      if (data.includes('LISTEN "')) link.listening = true
      if (!link.silent) server.write(data)
    })
    server.on('data', (data) => {
      if (!link.silent) client.write(data)
    })
    for (const [one, other] of [
      [client, server],
      [server, client],
    ] as const) {
      one.on('error', () => other.destroy())
      one.on('close', () => other.destroy())
    }
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  return {
    port: (proxy.address() as net.AddressInfo).port,
    silenceListening: () => {
      for (const link of links) if (link.listening) link.silent = true
    },
    close: () => {
      for (const link of links) {
        link.client.destroy()
        link.server.destroy()
      }
      proxy.close()
    },
  }
}
