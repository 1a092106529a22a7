// Cross-instance cache invalidation over LISTEN/NOTIFY: with a long authentication cache on every
// instance, a token revoked or retired on one instance stops working on the other within a second,
// and a lost LISTEN connection is reported and re-established (that nothing is cached while it is down
// is the core's rule, tested there with a feed the test controls).
import net from 'node:net'
import { memoryStore, type Ocpi, OcpiConfigError, type StoreChange } from '@ocpi-credentials/core'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createChangeFeed } from '../src/change-feed.js'
import { postgresStore } from '../src/index.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { Network } from './network.js'

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('feed')
})
afterAll(async () => {
  await db?.drop()
})

/** The promise under test: a change on one instance reaches the others within this time. */
const WITHIN_MS = 1_000

/** Two CPO instances over the database (the second's store `second`, by default its own pool), linked. */
async function linkedPair(second = postgresStore(db.otherPool(), { schema: db.schema, listen: true })) {
  const network = new Network()
  const stores = [postgresStore(db.pool, { schema: db.schema, listen: true }), second]
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
  const emspOcpi = emsp.instances[0] as Ocpi
  const invitation = await a.invite()
  const onEmsp = await emspOcpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
  // Capture the header the eMSP uses with us, to replay it against either instance.
  let header = ''
  network.before = (request) => {
    if (request.url.includes('/locations')) header = request.headers.get('authorization') ?? ''
  }
  await emspOcpi.client(onEmsp.id).request('locations', 'SENDER')
  const request = () =>
    new Request('https://cpo.example.com/ocpi/2.2.1/locations', { headers: { authorization: header } })
  const close = async () => {
    a.close()
    b.close()
    await Promise.all(stores.map((s) => s.close()))
  }
  return { a, b, emspOcpi, onEmsp, invitation, request, stores, close, header: () => header }
}

/** Waits until instance `b` refuses `request`; returns how long that took. */
async function refusedWithin(b: Ocpi, request: () => Request): Promise<number> {
  const started = performance.now()
  await vi.waitFor(
    async () => expect((await b.authenticate(request(), { module: 'locations' })).ok).toBe(false),
    { timeout: WITHIN_MS, interval: 10 },
  )
  return performance.now() - started
}

it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
  'refuses listen timings of %s ms at creation',
  (ms) => {
    for (const name of ['heartbeatMs', 'reconnectDelayMs', 'maxReconnectDelayMs']) {
      expect(() => postgresStore(db.pool, { schema: db.schema, listen: { [name]: ms } })).toThrow(
        OcpiConfigError,
      )
    }
  },
)

describe('cross-instance invalidation (LISTEN/NOTIFY)', () => {
  it('a revocation on one instance stops a cached token on the other within a second', async () => {
    const { a, b, invitation, request, close } = await linkedPair()
    try {
      expect((await b.authenticate(request(), { module: 'locations' })).ok).toBe(true) // cached for 60 s
      await a.revoke(invitation.peerId)
      expect(await refusedWithin(b, request)).toBeLessThan(WITHIN_MS)
    } finally {
      await close()
    }
  })

  it("a token retired on one instance (the peer's rotation) stops on the other within a second", async () => {
    const { a, b, emspOcpi, onEmsp, request, close, header } = await linkedPair()
    try {
      const old = header()
      expect((await b.authenticate(request(), { module: 'locations' })).ok).toBe(true) // cached
      await emspOcpi.rotate(onEmsp.id) // round robin: lands on either instance
      await emspOcpi.client(onEmsp.id).request('locations', 'SENDER') // first use of the new token
      expect(header()).not.toBe(old)
      const viaOld = () =>
        new Request('https://cpo.example.com/ocpi/2.2.1/locations', { headers: { authorization: old } })
      expect(await refusedWithin(b, viaOld)).toBeLessThan(WITHIN_MS)
      expect(await refusedWithin(a, viaOld)).toBeLessThan(WITHIN_MS)
    } finally {
      await close()
    }
  })

  it('reports a lost LISTEN connection, connects again, and invalidates again once connected', async () => {
    const { b, invitation, request, stores, close } = await linkedPair()
    const seen: StoreChange['type'][] = []
    const feed = stores[1]?.changes
    if (feed === undefined) throw new Error('the store has no change feed')
    const unsubscribe = feed.subscribe((change) => seen.push(change.type))
    try {
      await vi.waitFor(() => expect(seen.at(-1) ?? 'connected').toBe('connected'))
      seen.length = 0
      // Kill the LISTEN connection of the second instance's store from the server side.
      const killed = await db.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE query = $1 AND pid <> pg_backend_pid()`,
        [`LISTEN "${db.schema}_ocpi_changes"`],
      )
      expect(killed.rowCount).toBeGreaterThanOrEqual(1)
      await vi.waitFor(() => expect(seen).toContain('disconnected'))
      await vi.waitFor(() => expect(seen.at(-1)).toBe('connected'), { timeout: 5_000 })
      // Connected again: a revocation elsewhere still reaches this instance's cache.
      expect((await b.authenticate(request(), { module: 'locations' })).ok).toBe(true)
      const other = postgresStore(db.pool, { schema: db.schema })
      const peer = await other.getPeer(invitation.peerId)
      if (peer === null) throw new Error('no peer')
      await other.revokeTokens({
        peerId: peer.id,
        revision: peer.revision,
        next: { ...peer, updatedAt: Date.now() },
      })
      expect(await refusedWithin(b, request)).toBeLessThan(WITHIN_MS)
    } finally {
      unsubscribe()
      await close()
    }
  })
})

describe('closing the store', () => {
  it('tells the subscribers that the feed no longer follows changes', async () => {
    const store = postgresStore(db.otherPool(), { schema: db.schema, listen: true })
    const seen: StoreChange['type'][] = []
    store.changes?.subscribe((change) => seen.push(change.type))
    await vi.waitFor(() => expect(seen.at(-1)).toBe('connected'))
    await store.close()
    expect(seen.at(-1)).toBe('disconnected')
  })

  it('an instance whose store was closed first (a shutdown draining requests) caches nothing', async () => {
    const { a, b, invitation, request, stores, close } = await linkedPair()
    try {
      const seen: StoreChange['type'][] = []
      const unsubscribe = stores[1]?.changes?.subscribe((change) => seen.push(change.type))
      await vi.waitFor(() => expect(seen.at(-1) ?? 'connected').toBe('connected'))
      unsubscribe?.()
      await stores[1]?.close()
      expect((await b.authenticate(request(), { module: 'locations' })).ok).toBe(true) // read, not cached
      await a.revoke(invitation.peerId) // unheard of by b: its feed is closed
      expect((await b.authenticate(request(), { module: 'locations' })).ok).toBe(false)
    } finally {
      await close()
    }
  })
})

describe('createChangeFeed', () => {
  it.each([
    ['SQL smuggled in', 'x"; CREATE TABLE injected (); --'],
    ['uppercase, which an unquoted NOTIFY would never reach', 'Ocpi_changes'],
    ['empty', ''],
    ['longer than PostgreSQL keeps', 'c'.repeat(64)],
  ])('refuses a channel name that is %s, before touching the database', (_case, channel) => {
    expect(() => createChangeFeed(db.pool, channel)).toThrow(OcpiConfigError)
  })
})

describe("the LISTEN connection's heartbeat", () => {
  it('does not take a healthy connection for lost after the event loop stalled for one heartbeat', async () => {
    const heartbeatMs = 200
    // Right after a heartbeat SELECT 1 goes out, an I/O callback of the host (here a setImmediate) runs
    // synchronous work a little longer than one heartbeat. PostgreSQL answered within a millisecond.
    let armed = false
    const pool = db.otherPool()
    const connect = pool.connect.bind(pool)
    ;(pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
      const client = await connect()
      const query = client.query.bind(client) as (...a: unknown[]) => unknown
      ;(client as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
        const result = query(...a)
        if (a[0] === 'SELECT 1' && armed) {
          armed = false
          setImmediate(() => {
            const until = Date.now() + heartbeatMs + 10
            while (Date.now() < until) {}
          })
        }
        return result
      }
      return client
    }
    const feed = createChangeFeed(pool, `${db.schema}_heartbeat`, { heartbeatMs })
    const seen: string[] = []
    feed.subscribe((c: StoreChange) => seen.push(c.type))
    let misfires = 0
    for (let round = 0; round < 3; round++) {
      await expect.poll(() => seen.at(-1) === 'connected', { timeout: 5_000 }).toBe(true)
      const before = seen.length
      armed = true
      await new Promise((r) => setTimeout(r, 3 * heartbeatMs))
      if (seen.slice(before).includes('disconnected')) misfires++
    }
    await feed.close()
    expect(misfires).toBe(0)
  }, 30_000)

  it('notices a connection gone silent: disconnected, replaced, and invalidating again', async () => {
    const proxy = await silenceableProxy()
    const viaProxy = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/test` })
    viaProxy.on('error', () => undefined) // the silenced connection, destroyed once given up
    const second = postgresStore(viaProxy, { schema: db.schema, listen: { heartbeatMs: 100 } })
    const seen: StoreChange['type'][] = []
    const unsubscribe = second.changes?.subscribe((change) => {
      if (change.type !== 'changed') seen.push(change.type)
    })
    const { a, b, invitation, request, close } = await linkedPair(second)
    const locations = () => b.authenticate(request(), { module: 'locations' })
    try {
      await vi.waitFor(() => expect(seen.at(-1)).toBe('connected'))
      seen.length = 0
      expect((await locations()).ok).toBe(true) // cached on b for up to 60 s

      proxy.silenceListening() // b's LISTEN connection now swallows everything, both ways
      await vi.waitFor(() => expect(seen).toEqual(['disconnected', 'connected']), { timeout: 5_000 })

      // On its new connection, b hears of a revocation on a again.
      expect((await locations()).ok).toBe(true)
      await a.revoke(invitation.peerId)
      await vi.waitFor(async () => expect((await locations()).ok).toBe(false), {
        timeout: 1_000,
        interval: 10,
      })
    } finally {
      unsubscribe?.()
      await close()
      await viaProxy.end()
      proxy.close()
    }
  })

  it('does not keep close() waiting for ever on a connection gone silent', async () => {
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
})

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
