// Two instances of one platform (a CPO) share one PostgreSQL database behind a load balancer, and
// races are staged at exact points: no lost update, no orphaned live token, and exactly one winner.
import {
  createMemoryBacking,
  memoryStore,
  type Ocpi,
  OcpiError,
  type PeerState,
} from '@ocpi-credentials/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { postgresStore } from '../src/index.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { Network, type Site } from './network.js'

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('multi')
})
beforeEach(async () => {
  await db.truncate()
})
afterAll(async () => {
  await db?.drop()
})

const CPO = 'https://cpo.example.com'
const EMSP = 'https://emsp.example.com'

/** A CPO of two instances over the shared database (each with its own pool), and one eMSP. */
function setup() {
  const network = new Network()
  const pools = [db.pool, db.otherPool()]
  const cpo = network.site(
    CPO,
    { role: 'CPO', countryCode: 'NL', partyId: 'CPO' },
    (i) => postgresStore(pools[i] ?? db.pool, { schema: db.schema }),
    2,
  )
  const emsp = network.site(EMSP, { role: 'EMSP', countryCode: 'DE', partyId: 'MSP' }, () =>
    memoryStore({ backing: createMemoryBacking() }),
  )
  return { network, cpo, emsp, emspOcpi: emsp.instances[0] as Ocpi }
}

const instance = (site: Site, index: number) => site.instances[index] as Ocpi
const only = (index: number) => (_request: Request, instances: readonly Ocpi[]) => instances[index] as Ocpi

/** Tokens of a peer in the CPO's database that still work (no expiry, or one still ahead). */
async function liveTokenKinds(peerId: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ kind: string }>(
    `SELECT kind FROM "${db.schema}".ocpi_tokens
     WHERE peer_id = $1 AND (expires_at IS NULL OR expires_at > $2) AND kind <> 'consumed-invitation'
     ORDER BY kind`,
    [peerId, Date.now()],
  )
  return rows.map((row) => row.kind)
}

async function stateOf(peerId: string): Promise<PeerState | undefined> {
  const { rows } = await db.pool.query<{ state: PeerState }>(
    `SELECT state FROM "${db.schema}".ocpi_peers WHERE id = $1`,
    [peerId],
  )
  return rows[0]?.state
}

/** The link works both ways, whichever CPO instance serves or calls. */
async function expectLinkWorks(cpo: Site, emsp: Ocpi, cpoPeerId: string, emspPeerId: string) {
  for (const index of [0, 1]) {
    cpo.route = only(index)
    expect((await emsp.client(emspPeerId).request('locations', 'SENDER')).status).toBe(200)
    expect((await instance(cpo, index).client(cpoPeerId).request('tokens', 'SENDER')).status).toBe(200)
  }
}

describe('two instances sharing one PostgreSQL database', () => {
  it('of many POSTs racing with one TOKEN_A across both instances, exactly one registers', async () => {
    const network = new Network()
    const cpo = network.site(
      CPO,
      { role: 'CPO', countryCode: 'NL', partyId: 'CPO' },
      (i) => postgresStore(i === 0 ? db.pool : db.otherPool(), { schema: db.schema }),
      2,
    )
    const backings = Array.from({ length: 6 }, () => createMemoryBacking())
    const senders = backings.map((backing, i) =>
      network.site(
        `https://emsp${i}.example.com`,
        { role: 'EMSP', countryCode: 'DE', partyId: `MS${i}` },
        () => memoryStore({ backing }),
      ),
    )
    // POSTs alternate between the instances (everything else: round robin, the default).
    let posts = 0
    let others = 0
    cpo.route = (request, instances) =>
      instances[(request.method === 'POST' ? posts++ : others++) % instances.length] as Ocpi
    const invitation = await instance(cpo, 0).invite()
    const outcomes = await Promise.allSettled(
      senders.map((site) =>
        instance(site, 0).register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
      ),
    )
    const winners = outcomes.filter((o) => o.status === 'fulfilled')
    expect(winners).toHaveLength(1)
    // Both instances served POSTs: the race really crossed instances.
    const served = cpo.served.filter((s) => s.method === 'POST')
    expect(new Set(served.map((p) => p.instance))).toEqual(new Set([0, 1]))
    expect(await stateOf(invitation.peerId)).toBe('registered')
    expect(await liveTokenKinds(invitation.peerId)).toEqual(['current'])
    // The losers hold nothing alive either: no link (those refused at discovery never made a record),
    // and no token they issued still works (pending tokens were aborted).
    const now = Date.now()
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') continue
      const backing = backings[i] as ReturnType<typeof createMemoryBacking>
      expect([...backing.peers.values()].every((p) => p.state === 'unregistered')).toBe(true)
      expect([...backing.tokens.values()].filter((t) => t.expiresAt === null || t.expiresAt > now)).toEqual(
        [],
      )
    }
  })

  it("the peer's callback discovery lands on the other instance during our outgoing POST", async () => {
    const { network, cpo, emsp, emspOcpi } = setup()
    const invitation = await emspOcpi.invite()
    cpo.route = only(1) // everything the eMSP sends to us reaches instance 1 …
    const registered = await instance(cpo, 0).register({
      versionsUrl: invitation.versionsUrl,
      token: invitation.token,
    }) // … while instance 0 registers
    expect(registered.state).toBe('registered')
    expect(cpo.served.filter((s) => s.method === 'GET').every((s) => s.instance === 1)).toBe(true)
    expect(cpo.served.length).toBeGreaterThanOrEqual(2) // versions and version details, at least
    expect(await liveTokenKinds(registered.id)).toEqual(['current'])
    await expectLinkWorks(cpo, emspOcpi, registered.id, invitation.peerId)
    expect(network.tokens.size).toBeGreaterThan(0)
    expect(emsp.served.length).toBeGreaterThan(0)
  })

  it("the peer's callback discovery lands on the other instance during our outgoing PUT", async () => {
    const { cpo, emspOcpi } = setup()
    const invitation = await emspOcpi.invite()
    const registered = await instance(cpo, 0).register({
      versionsUrl: invitation.versionsUrl,
      token: invitation.token,
    })
    cpo.served.length = 0
    cpo.route = only(1)
    await instance(cpo, 0).rotate(registered.id)
    expect(cpo.served.length).toBeGreaterThan(0)
    expect(cpo.served.every((s) => s.instance === 1)).toBe(true)
    // The replaced token keeps a grace window, until the peer's first use of the new one.
    expect(await liveTokenKinds(registered.id)).toEqual(['current', 'previous'])
    await expectLinkWorks(cpo, emspOcpi, registered.id, invitation.peerId)
    expect(await liveTokenKinds(registered.id)).toEqual(['current'])
  })

  for (const when of ['before the peer handles our PUT', 'after the peer answered our PUT'] as const) {
    it(`a rotation racing the peer's DELETE (${when}) leaves the link ended with no live token`, async () => {
      const { network, cpo, emspOcpi } = setup()
      const invitation = await emspOcpi.invite()
      const registered = await instance(cpo, 0).register({
        versionsUrl: invitation.versionsUrl,
        token: invitation.token,
      })
      cpo.route = only(1) // the DELETE lands on instance 1 while instance 0 rotates
      let staged = false
      const deleteNow = async (request: Request) => {
        if (staged || request.method !== 'PUT' || !request.url.startsWith(EMSP)) return
        staged = true
        await emspOcpi.unregister(invitation.peerId)
      }
      if (when === 'before the peer handles our PUT') network.before = deleteNow
      else network.after = (request) => deleteNow(request)
      await expect(instance(cpo, 0).rotate(registered.id)).rejects.toBeInstanceOf(OcpiError)
      expect(staged).toBe(true)
      expect(await stateOf(registered.id)).toBe('unregistered')
      expect(await liveTokenKinds(registered.id)).toEqual([])
      // Both instances refuse the ended link.
      for (const index of [0, 1]) {
        await expect(instance(cpo, index).client(registered.id).request('tokens', 'SENDER')).rejects.toThrow()
      }
    })
  }

  it('two admins rotating one peer at once on two instances: one rotation, no lost update', async () => {
    const { network, cpo, emspOcpi } = setup()
    const invitation = await emspOcpi.invite()
    const registered = await instance(cpo, 0).register({
      versionsUrl: invitation.versionsUrl,
      token: invitation.token,
    })
    // Hold the first PUT at the peer until the second admin's rotation has been decided.
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let puts = 0
    network.before = async (request) => {
      if (request.method === 'PUT' && request.url.startsWith(EMSP) && puts++ === 0) await held
    }
    const first = instance(cpo, 0).rotate(registered.id)
    await vi.waitFor(() => expect(puts).toBe(1))
    const second = await Promise.allSettled([instance(cpo, 1).rotate(registered.id)])
    release()
    await first
    expect(second[0]?.status).toBe('rejected')
    const reason = second[0]?.status === 'rejected' ? (second[0].reason as OcpiError) : undefined
    expect(reason?.code).toBe('ERR_OCPI_CONFLICT')
    expect(puts).toBe(1)
    expect(await liveTokenKinds(registered.id)).toEqual(['current', 'previous'])
    await expectLinkWorks(cpo, emspOcpi, registered.id, invitation.peerId)
    expect(await liveTokenKinds(registered.id)).toEqual(['current'])
    // And a later rotation from the other instance goes through.
    await instance(cpo, 1).rotate(registered.id)
    await expectLinkWorks(cpo, emspOcpi, registered.id, invitation.peerId)
  })
})

describe('what the host configures', () => {
  it('instances whose clock has sub-millisecond precision register, rotate and use the link', async () => {
    // Fine with the memory store before; every write here failed (bigint refused the fraction).
    const now = () => performance.timeOrigin + performance.now()
    const network = new Network()
    const cpo = network.site(
      CPO,
      { role: 'CPO', countryCode: 'NL', partyId: 'CPO', options: { now } },
      (i) => postgresStore(i === 0 ? db.pool : db.otherPool(), { schema: db.schema }),
      2,
    )
    const emsp = network.site(
      EMSP,
      { role: 'EMSP', countryCode: 'DE', partyId: 'MSP', options: { now } },
      () => memoryStore(),
    )
    const emspOcpi = instance(emsp, 0)
    const invitation = await instance(cpo, 0).invite()
    const registered = await emspOcpi.register({
      versionsUrl: invitation.versionsUrl,
      token: invitation.token,
    })
    await instance(cpo, 1).rotate(invitation.peerId)
    await expectLinkWorks(cpo, emspOcpi, invitation.peerId, registered.id)
    expect(await stateOf(invitation.peerId)).toBe('registered')
  })
})
