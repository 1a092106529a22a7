// Cross-instance cache invalidation over LISTEN/NOTIFY: with a long authentication cache on every
// instance, a token revoked or retired on one instance stops working on the other within a second,
// and a lost LISTEN connection is reported and re-established (that nothing is cached while it is down
// is the core's rule, tested there with a feed the test controls).
import { memoryStore, type Ocpi, OcpiConfigError, type StoreChange } from '@ocpi-credentials/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
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

async function linkedPair() {
  const network = new Network()
  const stores = [
    postgresStore(db.pool, { schema: db.schema, listen: true }),
    postgresStore(db.otherPool(), { schema: db.schema, listen: true }),
  ]
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
