// HubClientInfo: a hub (2.2.1, HUB role) pushes the status of its connected platforms to the others;
// a connected platform accepts ClientInfo only from a hub, keeps the newest, and refuses to send to a
// party the hub says is not CONNECTED. The sender's list is filtered and paginated as OCPI asks.
import { describe, expect, it } from 'vitest'
import { memoryStore, type Ocpi, type OcpiError } from '../src/index.js'
import { type Platform, World } from './platforms.js'

/** A hub (sender) and a CPO (receiver, served by `instances` instances) registered with it. */
async function hubWorld(instances = 1) {
  const world = new World()
  const hub = world.add(
    'hub',
    { role: 'HUB', country_code: 'NL', party_id: 'HUB' },
    { hubClientInfo: { sender: true } },
  )
  const cpo = world.add(
    'cpo',
    { role: 'CPO', country_code: 'NL', party_id: 'CPO' },
    { hubClientInfo: { receiver: true } },
    instances,
  )
  const cpoLink = await world.link(hub, cpo) // the CPO registers with the hub
  return { world, hub, cpo, cpoLink }
}

const msp = { country_code: 'DE', party_id: 'MSP' }

describe('HubClientInfo', () => {
  it('HubClientInfo list: date_from inclusive, date_to exclusive, X-Total-Count filtered', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    world.now = Date.parse('2026-11-23T11:00:00.000Z')
    await world.link(hub, world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' }))
    const at = '2026-11-23T11:00:00.000Z'
    world.now += 60_000
    const fromHub = cpo.ocpi.client(cpoLink.onTo)
    const q = async (query: Record<string, string>) => {
      const r = await fromHub.request('hubclientinfo', 'SENDER', { query })
      return [(r.data as unknown[]).length, r.headers.get('x-total-count')]
    }
    expect(await q({ date_from: at })).toEqual([1, '1'])
    expect(await q({ date_to: at })).toEqual([0, '0'])
    expect(await q({ date_from: at, date_to: '2026-11-23T11:00:00.001Z' })).toEqual([1, '1'])
  })

  it('lists the interfaces in version details on 2.2.1 only when enabled', async () => {
    const { hub, cpo } = await hubWorld()
    const details = async (platform: typeof hub, token: string) => {
      const response = await platform.ocpi.handle(
        new Request(`${platform.origin}/ocpi/2.2.1`, { headers: { authorization: `Token ${token}` } }),
      )
      return ((await response.json()) as { data: { endpoints: { identifier: string; role: string }[] } }).data
        .endpoints
    }
    const invitation = await hub.ocpi.invite()
    expect(await details(hub, invitation.token)).toContainEqual(
      expect.objectContaining({ identifier: 'hubclientinfo', role: 'SENDER' }),
    )
    const other = await cpo.ocpi.invite()
    expect(await details(cpo, other.token)).toContainEqual(
      expect.objectContaining({ identifier: 'hubclientinfo', role: 'RECEIVER' }),
    )
  })

  it("the hub pushes a platform's registration, and its end, to the other platforms", async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    const emsp = world.add('emsp', { role: 'EMSP', ...msp }, { hubClientInfo: { receiver: true } })
    const emspLink = await world.link(hub, emsp)
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('CONNECTED')
    // The eMSP registered after the CPO: nothing was pushed to it of the CPO (a platform pulls the list
    // when it starts); its link with the hub itself is CONNECTED.
    expect(await emsp.ocpi.connectionStatus(emspLink.onTo)).toBe('CONNECTED')

    await hub.ocpi.unregister(emspLink.onFrom)
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('SUSPENDED')
    const refused = await cpo.ocpi
      .client(cpoLink.onTo)
      .request('tokens', 'RECEIVER', { to: msp })
      .catch((e: unknown) => e)
    expect((refused as OcpiError).code).toBe('ERR_OCPI_NOT_CONNECTED')
    // A party the hub told us nothing of is the hub's own status: CONNECTED.
    expect(await cpo.ocpi.connectionStatus(cpoLink.onTo, { country_code: 'FR', party_id: 'XYZ' })).toBe(
      'CONNECTED',
    )
  })

  it('a party a platform stops presenting is pushed SUSPENDED to the others; not so for a 2.2.1 hub', async () => {
    const setup = await hubWorld()
    const { world, cpo, cpoLink } = setup
    // The host lets its platforms drop parties (by default only hubs may).
    const hub = world.reconfigure(setup.hub, { partyRemovalPolicy: () => true })
    const party = (role: 'HUB' | 'EMSP', country_code: string, party_id: string) => ({
      role,
      country_code,
      party_id,
      business_details: { name: party_id },
    })
    const gone = { country_code: 'DE', party_id: 'MS2' }
    let emsp = world.add(
      'emsp',
      { role: 'EMSP', ...msp },
      { parties: [party('EMSP', 'DE', 'MSP'), party('EMSP', 'DE', 'MS2')] },
    )
    const emspLink = await world.link(hub, emsp)
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, gone)).toBe('CONNECTED')
    // DE/MS2 leaves the platform: its next PUT no longer presents it.
    emsp = world.reconfigure(emsp, { parties: [party('EMSP', 'DE', 'MSP')] })
    await emsp.ocpi.rotate(emspLink.onTo)
    expect((await hub.ocpi.getPeer(emspLink.onFrom))?.parties.map((p) => p.party_id)).toEqual(['MSP'])
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, gone)).toBe('SUSPENDED')
    expect(await cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('CONNECTED')

    // A 2.2.1 hub reports only itself (§2.8): a party it stops listing may still be reachable through it.
    // This one (as hubs predating 2.2.1's rule do) listed a party it reaches in its registration POST.
    const behind = { country_code: 'FR', party_id: 'BHD' }
    const listingBehind = async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      if (request.method !== 'POST' || !request.url.endsWith('/credentials')) return world.fetch(request)
      const body = (await request.json()) as { roles: unknown[] }
      body.roles.push(party('EMSP', 'FR', 'BHD'))
      return world.fetch(new Request(request, { body: JSON.stringify(body) }))
    }
    const subhub = world.add(
      'subhub',
      { role: 'HUB', country_code: 'NL', party_id: 'SUB' },
      { parties: [party('HUB', 'NL', 'SUB')], fetch: listingBehind },
    )
    const subhubLink = await world.link(hub, subhub)
    expect((await hub.ocpi.getPeer(subhubLink.onFrom))?.parties.map((p) => p.party_id)).toEqual([
      'SUB',
      'BHD',
    ])
    const changes: unknown[] = []
    hub.ocpi.on('parties-changed', (change) => changes.push(change))
    // Its PUT, as the SDK's own hubs send on 2.2.1, lists only itself.
    await subhub.ocpi.rotate(subhubLink.onTo)
    // Not listed is not gone: FR/BHD stays locked, no change is announced, nothing is pushed SUSPENDED.
    expect((await hub.ocpi.getPeer(subhubLink.onFrom))?.parties.map((p) => p.party_id)).toEqual([
      'SUB',
      'BHD',
    ])
    expect(changes).toEqual([])
    expect(await cpo.ocpi.connectionStatus(cpoLink.onTo, behind)).toBe('CONNECTED')
  })

  it('a platform accepts ClientInfo only from a hub, keeps the newest, and answers GET with it', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    const hubHeader = await headerOf(hub, cpoLink.onFrom, cpo)
    const url = `${cpo.origin}/ocpi/2.2.1/hubclientinfo/DE/MSP`
    const put = (status: string, at: string, authorization = hubHeader) =>
      cpo.ocpi.handle(
        new Request(url, {
          method: 'PUT',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ ...msp, role: 'EMSP', status, last_updated: at }),
        }),
      )
    expect((await put('OFFLINE', '2026-11-23T10:00:00Z')).status).toBe(200)
    expect(await cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('OFFLINE')
    // An older update is ignored; a newer one applies.
    await put('CONNECTED', '2026-11-23T09:00:00Z')
    expect(await cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('OFFLINE')
    await put('CONNECTED', '2026-11-23T11:00:00Z')
    expect(await cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('CONNECTED')
    const got = await cpo.ocpi.handle(new Request(url, { headers: { authorization: hubHeader } }))
    expect(((await got.json()) as { data: { status: string } }).data.status).toBe('CONNECTED')
    // Another party in the URL than in the body: refused, nothing stored.
    const mismatch = await cpo.ocpi.handle(
      new Request(`${cpo.origin}/ocpi/2.2.1/hubclientinfo/FR/XYZ`, {
        method: 'PUT',
        headers: { authorization: hubHeader, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...msp,
          role: 'EMSP',
          status: 'SUSPENDED',
          last_updated: '2026-11-23T12:00:00Z',
        }),
      }),
    )
    expect(((await mismatch.json()) as { status_code: number }).status_code).toBe(2001)
    expect(await cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('CONNECTED')

    // A peer that is not a hub may not push ClientInfo.
    const plain = world.add('plain', { role: 'CPO', country_code: 'BE', party_id: 'PLN' })
    const plainLink = await world.link(cpo, plain)
    const plainHeader = await headerOf(plain, plainLink.onTo, cpo)
    const refused = await put('SUSPENDED', '2026-11-23T13:00:00Z', plainHeader)
    expect(refused.status).toBe(401)
    expect(await cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('CONNECTED')
  })

  it("the hub's list is filtered by date and paginated with X-Total-Count, X-Limit and Link", async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    for (const [name, id] of [
      ['e1', 'E01'],
      ['e2', 'E02'],
      ['e3', 'E03'],
    ] as const) {
      world.now += 60_000
      await world.link(hub, world.add(name, { role: 'EMSP', country_code: 'DE', party_id: id }))
    }
    const client = cpo.ocpi.client(cpoLink.onTo)
    const first = await client.request('hubclientinfo', 'SENDER', { query: { limit: 2 } })
    expect(first.headers.get('x-total-count')).toBe('3') // the CPO's own party is left out
    expect(first.headers.get('x-limit')).toBe('2')
    expect((first.data as unknown[]).length).toBe(2)
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1]
    expect(next).toContain('offset=2')
    const second = await client.request('hubclientinfo', 'SENDER', { query: { offset: 2, limit: 2 } })
    expect((second.data as { party_id: string }[]).map((c) => c.party_id)).toHaveLength(1)
    expect(second.headers.get('link')).toBeNull()
    const recent = await client.request('hubclientinfo', 'SENDER', {
      query: { date_from: new Date(world.now).toISOString().replace(/\.\d+Z$/, 'Z') },
    })
    expect((recent.data as { party_id: string }[]).map((c) => c.party_id)).toEqual(['E03'])
    const bad = await client.request('hubclientinfo', 'SENDER', { query: { offset: -1 } })
    expect(bad.statusCode).toBe(2001)
  })
})

/** The Authorization header `from` sends to `to` (over the link `fromPeerId`), read off a request it makes. */
async function headerOf(from: Platform, fromPeerId: string, to: Platform): Promise<string> {
  expect((await from.ocpi.client(fromPeerId).request('locations', 'SENDER')).status).toBe(200)
  return to.received.at(-1)?.authorization ?? ''
}

describe('HubClientInfo receiver at its edges', () => {
  it.each([1, 8])(
    'stores every one of a burst of concurrent PUTs about different parties (%i instances)',
    async (instances) => {
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
      const { world, hub, cpoLink, cpo: served } = await hubWorld(instances)
      let cpo = served
      await hub.ocpi.client(cpoLink.onFrom).request('locations', 'SENDER')
      const authorization = cpo.received.at(-1)?.authorization ?? ''
      // A store that takes a few milliseconds a call, as PostgreSQL behind a pool does: the instances'
      // writes of the hub's record overlap as they would in production.
      const store = memoryStore({ backing: cpo.backing })
      const slow = new Proxy(store, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver)
          if (typeof value !== 'function') return value
          return async (...args: unknown[]) => {
            await pause(2 + Math.random() * 4)
            return (value as (...a: unknown[]) => unknown).apply(target, args)
          }
        },
      })
      cpo = world.reconfigure(cpo, { store: slow })
      // Behind a load balancer: a hub's stream of PUTs over 0.3 s, spread over the instances.
      const ids = Array.from({ length: 400 }, (_, i) => i.toString(36).toUpperCase().padStart(3, '0'))
      const answers = await Promise.all(
        ids.map(async (id, i) => {
          await pause(Math.random() * 300)
          const response = await (cpo.instances[i % instances] as Ocpi).handle(
            new Request(`${cpo.origin}/ocpi/2.2.1/hubclientinfo/DE/${id}`, {
              method: 'PUT',
              headers: { authorization, 'content-type': 'application/json' },
              body: JSON.stringify({
                country_code: 'DE',
                party_id: id,
                role: 'EMSP',
                status: 'OFFLINE',
                last_updated: '2026-11-23T10:00:00Z',
              }),
            }),
          )
          return `${response.status}/${((await response.json()) as { status_code: number }).status_code}`
        }),
      )
      expect(answers).toEqual(ids.map(() => '200/1000'))
      const stored = await Promise.all(
        ids.map((id) => cpo.ocpi.connectionStatus(cpoLink.onTo, { country_code: 'DE', party_id: id })),
      )
      expect(stored).toEqual(ids.map(() => 'OFFLINE'))
    },
  )
})

describe('HubClientInfo sender at its edges', () => {
  it('pushes and lists the parties of a platform it revoked and invited again as PLANNED', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    const fromHub = cpo.ocpi.client(cpoLink.onTo)
    const emspLink = await world.link(hub, world.add('emsp', { role: 'EMSP', ...msp }))
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('CONNECTED')
    world.now += 60_000
    const before = new Date(world.now).toISOString()
    const { peer } = await hub.ocpi.revoke(emspLink.onFrom) // e.g. the eMSP's token leaked
    expect(peer.state).toBe('invited')
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('PLANNED')
    await expect(fromHub.request('tokens', 'RECEIVER', { to: msp })).rejects.toMatchObject({
      code: 'ERR_OCPI_NOT_CONNECTED',
    })
    // A platform that missed the push (pushes are not retried) learns it from the list, incrementally too.
    const list = await fromHub.request('hubclientinfo', 'SENDER', { query: { date_from: before } })
    expect(list.data).toEqual([expect.objectContaining({ ...msp, role: 'EMSP', status: 'PLANNED' })])
  })

  it('revoking the ended record of a platform that came back announces nothing against its live link', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    const emsp = world.add('emsp', { role: 'EMSP', ...msp })
    const first = await world.link(hub, emsp)
    world.now += 60_000
    await hub.ocpi.unregister(first.onFrom)
    world.now += 60_000
    await world.link(hub, emsp) // back with a fresh TOKEN_A: a new record
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('CONNECTED')
    world.now += 60_000
    // The old record's tokens turn up in a leak: its admin revokes it (it is invited again).
    expect((await hub.ocpi.revoke(first.onFrom)).peer.state).toBe('invited')
    // A later push the CPO sees, sent after whatever the revocation pushed.
    await world.link(hub, world.add('other', { role: 'EMSP', country_code: 'DE', party_id: 'OTH' }))
    await expect
      .poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, { country_code: 'DE', party_id: 'OTH' }))
      .toBe('CONNECTED')
    expect(await cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('CONNECTED')
    const list = await cpo.ocpi.client(cpoLink.onTo).request('hubclientinfo', 'SENDER')
    expect((list.data as { party_id: string; status: string }[]).filter((c) => c.party_id === 'MSP')).toEqual(
      [expect.objectContaining({ status: 'CONNECTED' })],
    )
  })

  it('lists a platform that left and registered again once, as it is now', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    const fromHub = cpo.ocpi.client(cpoLink.onTo)
    const emsp = world.add('emsp', { role: 'EMSP', ...msp })
    const first = await world.link(hub, emsp)
    world.now += 60_000
    await hub.ocpi.unregister(first.onFrom)
    world.now += 60_000
    await world.link(hub, emsp) // back with a fresh TOKEN_A
    world.now += 60_000
    const list = await fromHub.request('hubclientinfo', 'SENDER')
    const entries = (list.data as { party_id: string; status: string }[]).filter((c) => c.party_id === 'MSP')
    expect(entries.map((c) => c.status)).toEqual(['CONNECTED'])
    expect(list.headers.get('x-total-count')).toBe('1')
  })

  it('a platform whose receiver does not answer holds up the pushes to no other platform', async () => {
    const world = new World()
    let silent: string | null = null
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const hubFetch = async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      if (silent !== null && request.url.startsWith(silent) && request.url.includes('/hubclientinfo/')) {
        await gate // no answer until the test is done
        throw new TypeError('fetch failed')
      }
      return world.fetch(request)
    }
    const hub = world.add(
      'hub',
      { role: 'HUB', country_code: 'NL', party_id: 'HUB' },
      { hubClientInfo: { sender: true }, fetch: hubFetch },
    )
    const receiver = (name: string, party_id: string) =>
      world.add(name, { role: 'CPO', country_code: 'NL', party_id }, { hubClientInfo: { receiver: true } })
    const a = receiver('cpoa', 'CPA')
    const b = receiver('cpob', 'CPB')
    const links = [
      { platform: a, ...(await world.link(hub, a)) },
      { platform: b, ...(await world.link(hub, b)) },
    ]
    const pushesTo = (p: Platform) =>
      p.received.filter((r) => r.method === 'PUT' && r.path.includes('/hubclientinfo/')).length
    await expect.poll(() => pushesTo(a)).toBe(1) // B's registration; nothing else is on its way
    // The hub goes through its platforms in peer id order: the first one does not answer.
    links.sort((x, y) => (x.onFrom < y.onFrom ? -1 : 1))
    const [first, second] = links.map((link) => link.platform) as [Platform, Platform]
    silent = first.origin
    const before = pushesTo(second)
    try {
      await world.link(hub, world.add('emsp', { role: 'EMSP', ...msp }))
      await expect.poll(() => pushesTo(second)).toBe(before + 1) // the eMSP's registration
    } finally {
      release()
    }
  })

  it('pushes a platform whose link moves from 2.1.1 to 2.2.1, by either side, once its parties have roles', async () => {
    for (const upgradedBy of ['platform', 'hub'] as const) {
      const world = new World()
      // Its first party is the one its 2.1.1 links know (2.1.1 has no hubs); its 2.2.1 links know it as hub.
      const hub = world.add(
        'hub',
        { role: 'HUB', country_code: 'NL', party_id: 'HUB' },
        {
          hubClientInfo: { sender: true },
          versions: ['2.2.1', '2.1.1'],
          parties: [
            { role: 'CPO', country_code: 'NL', party_id: 'HBC', business_details: { name: 'hub' } },
            { role: 'HUB', country_code: 'NL', party_id: 'HUB', business_details: { name: 'hub' } },
          ],
        },
      )
      const changes: unknown[] = []
      hub.ocpi.on('parties-changed', (change) => changes.push(change))
      const cpo = world.add(
        'cpo',
        { role: 'CPO', country_code: 'NL', party_id: 'CPO' },
        { hubClientInfo: { receiver: true } },
      )
      const cpoLink = await world.link(hub, cpo)
      let emsp = world.add('emsp', { role: 'EMSP', ...msp }, { versions: ['2.1.1'] })
      const emspLink = await world.link(hub, emsp) // on 2.1.1: no role, nothing to report
      emsp = world.reconfigure(emsp, { versions: ['2.2.1', '2.1.1'] })
      if (upgradedBy === 'platform') await emsp.ocpi.rotate(emspLink.onTo, { version: '2.2.1' })
      else await hub.ocpi.rotate(emspLink.onFrom, { version: '2.2.1' })
      const held = async () => {
        const record = await memoryStore({ backing: cpo.backing }).getPeer(cpoLink.onTo)
        return record?.state === 'registered' ? record.clientInfo : undefined
      }
      // What the hub's list now reports, the CPO was told.
      await expect
        .poll(held)
        .toEqual([expect.objectContaining({ ...msp, role: 'EMSP', status: 'CONNECTED' })])
      expect(changes).toEqual([
        {
          peerId: emspLink.onFrom,
          added: [],
          removed: [],
          rolesFilledIn: [expect.objectContaining({ ...msp, role: 'EMSP' })],
        },
      ])
    }
  })

  it('returns a change made within the second of the previous pull to the next pull from that time', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    const fromHub = cpo.ocpi.client(cpoLink.onTo)
    world.now = Date.parse('2026-11-23T10:05:00.400Z')
    const pulledAt = new Date(world.now).toISOString()
    await fromHub.request('hubclientinfo', 'SENDER')
    world.now = Date.parse('2026-11-23T10:05:00.700Z') // an eMSP connects 300 ms after the pull
    await world.link(hub, world.add('emsp', { role: 'EMSP', ...msp }))
    world.now += 60_000
    const next = await fromHub.request('hubclientinfo', 'SENDER', { query: { date_from: pulledAt } })
    expect(next.data).toEqual([
      {
        country_code: 'DE',
        party_id: 'MSP',
        role: 'EMSP',
        status: 'CONNECTED',
        last_updated: '2026-11-23T10:05:00.700Z',
      },
    ])
  })

  it('two changes within one second keep their order at a platform receiving their pushes reversed', async () => {
    const world = new World()
    let hold: Promise<void> | null = null
    let release: () => void = () => undefined
    let heldDelivered = false
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      const held = hold
      if (held !== null && request.method === 'PUT' && request.url.includes('/hubclientinfo/')) {
        hold = null
        await held // the first push (CONNECTED) is slow on the network
        const response = await world.fetch(request)
        heldDelivered = true
        return response
      }
      return world.fetch(request)
    }
    const hub = world.add(
      'hub',
      { role: 'HUB', country_code: 'NL', party_id: 'HUB' },
      { hubClientInfo: { sender: true }, fetch },
    )
    const cpo = world.add(
      'cpo',
      { role: 'CPO', country_code: 'NL', party_id: 'CPO' },
      { hubClientInfo: { receiver: true } },
    )
    const cpoLink = await world.link(hub, cpo)
    world.now = Date.parse('2026-11-23T10:00:05.100Z')
    hold = new Promise<void>((resolve) => {
      release = resolve
    })
    const emspLink = await world.link(hub, world.add('emsp', { role: 'EMSP', ...msp })) // CONNECTED, held
    world.now = Date.parse('2026-11-23T10:00:05.400Z')
    await hub.ocpi.unregister(emspLink.onFrom) // SUSPENDED, delivered first
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('SUSPENDED')
    release()
    await expect.poll(() => heldDelivered).toBe(true)
    expect(await cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('SUSPENDED')
  })

  it('serves a page size over its most as its most, as the pagination rules show with limit=2000', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    await world.link(hub, world.add('emsp', { role: 'EMSP', ...msp }))
    // Beyond 2^53 too: an integer all the same, not a malformed query.
    for (const limit of ['2000', '10000000000000000', '1e300']) {
      const page = await cpo.ocpi
        .client(cpoLink.onTo)
        .request('hubclientinfo', 'SENDER', { query: { limit } })
      expect(page.statusCode).toBe(1000)
      expect(page.data).toHaveLength(1)
      expect(page.headers.get('x-limit')).toBe('100')
    }
  })

  it('serves an empty page for an offset past the end, however far', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    await world.link(hub, world.add('emsp', { role: 'EMSP', ...msp }))
    for (const offset of ['1', '2000000', '10000000000000000']) {
      const page = await cpo.ocpi
        .client(cpoLink.onTo)
        .request('hubclientinfo', 'SENDER', { query: { offset } })
      expect(page.statusCode).toBe(1000)
      expect(page.data).toEqual([])
      expect(page.headers.get('x-total-count')).toBe('1')
      expect(page.headers.get('link')).toBeNull()
    }
  })

  it("links the next page on the hub's published URL, not on the URL a proxy handed in", async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    const fromHub = cpo.ocpi.client(cpoLink.onTo)
    for (const id of ['E01', 'E02']) {
      await world.link(hub, world.add(id.toLowerCase(), { role: 'EMSP', country_code: 'DE', party_id: id }))
    }
    await fromHub.request('hubclientinfo', 'SENDER')
    const authorization = hub.received.at(-1)?.authorization ?? ''
    expect(cpo.origin).not.toBe('http://10.0.0.7:8080')
    // What a TLS-terminating proxy hands an Express app without `trust proxy`: http and an internal host.
    const response = await hub.ocpi.handle(
      new Request('http://10.0.0.7:8080/ocpi/2.2.1/hubclientinfo?limit=1', { headers: { authorization } }),
    )
    expect(response.headers.get('link')).toBe(
      `<${hub.origin}/ocpi/2.2.1/hubclientinfo?limit=1&offset=1>; rel="next"`,
    )
  })

  it('announces an invitation PLANNED for the parties it expects, and lists them SUSPENDED once it expired', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    const fromHub = cpo.ocpi.client(cpoLink.onTo)
    const planned = { country_code: 'DE', party_id: 'NEW' }
    const expiresAt = world.now + 3_600_000
    await hub.ocpi.invite({ expiresIn: 3_600_000, expectedParties: [{ ...planned, role: 'EMSP' }] })
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, planned)).toBe('PLANNED')
    expect((await fromHub.request('hubclientinfo', 'SENDER')).data).toEqual([
      expect.objectContaining({ ...planned, status: 'PLANNED' }),
    ])
    world.now += 1_000
    const pulledAt = new Date(world.now).toISOString()
    world.now += 2 * 3_600_000 // the TOKEN_A died an hour ago: a platform that heard PLANNED learns it is over
    expect((await fromHub.request('hubclientinfo', 'SENDER')).data).toEqual([
      expect.objectContaining({ ...planned, status: 'SUSPENDED' }),
    ])
    // Also when it pulls what changed since its last pull: the expiry wrote nothing, yet it is a change.
    const since = await fromHub.request('hubclientinfo', 'SENDER', { query: { date_from: pulledAt } })
    expect(since.data).toEqual([
      expect.objectContaining({
        ...planned,
        status: 'SUSPENDED',
        last_updated: new Date(expiresAt).toISOString(),
      }),
    ])
  })

  it('a platform heard from since it was marked OFFLINE is CONNECTED in a pull of what changed since', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    const fromHub = cpo.ocpi.client(cpoLink.onTo)
    const emsp = world.add('emsp', { role: 'EMSP', ...msp })
    const emspLink = await world.link(hub, emsp)
    world.now += 5 * 60_000
    world.down.add(emsp.origin)
    expect((await hub.ocpi.checkHealth()).offline).toContain(emspLink.onFrom)
    world.down.delete(emsp.origin)
    world.now += 1_000
    const pulledAt = new Date(world.now).toISOString()
    expect((await fromHub.request('hubclientinfo', 'SENDER')).data).toEqual([
      expect.objectContaining({ ...msp, status: 'OFFLINE' }),
    ])
    world.now += 1_000
    // The eMSP calls the hub: CONNECTED at once, though nothing is written before the next health pass.
    expect((await emsp.ocpi.client(emspLink.onTo).request('tokens', 'SENDER')).status).toBe(200)
    const contactAt = new Date(world.now).toISOString()
    const since = await fromHub.request('hubclientinfo', 'SENDER', { query: { date_from: pulledAt } })
    expect(since.data).toEqual([
      expect.objectContaining({ ...msp, status: 'CONNECTED', last_updated: contactAt }),
    ])
    // The health pass records it and the hub pushes it: no older than what the list said.
    world.now += 1_000
    expect((await hub.ocpi.checkHealth()).online).toEqual([emspLink.onFrom])
    const held = async () => {
      const record = await memoryStore({ backing: cpo.backing }).getPeer(cpoLink.onTo)
      return record?.state === 'registered' ? record.clientInfo : undefined
    }
    await expect.poll(held).toEqual([expect.objectContaining({ ...msp, status: 'CONNECTED' })])
    expect((await held())?.[0]?.last_updated).toBeGreaterThan(Date.parse(contactAt))
  })

  it('a platform invited again that comes back with fewer parties: the one it left out is SUSPENDED', async () => {
    const { world, hub, cpo, cpoLink } = await hubWorld()
    const party = (party_id: string) => ({
      role: 'EMSP' as const,
      country_code: 'DE',
      party_id,
      business_details: { name: party_id },
    })
    const left = { country_code: 'DE', party_id: 'MS2' }
    let emsp = world.add('emsp', { role: 'EMSP', ...msp }, { parties: [party('MSP'), party('MS2')] })
    const first = await world.link(hub, emsp)
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, left)).toBe('CONNECTED')
    world.now += 60_000
    const { invitation } = await hub.ocpi.revoke(first.onFrom)
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, left)).toBe('PLANNED')
    // Its admin starts afresh and registers with the new TOKEN_A, without DE/MS2 this time.
    world.now += 60_000
    emsp = world.reconfigure(emsp, { parties: [party('MSP')] })
    for (const peer of await emsp.ocpi.listPeers()) await emsp.ocpi.revoke(peer.id)
    await emsp.ocpi.register({ versionsUrl: invitation?.versionsUrl ?? '', token: invitation?.token ?? '' })
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, left)).toBe('SUSPENDED')
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, msp)).toBe('CONNECTED') // pushed after it
    const list = await cpo.ocpi.client(cpoLink.onTo).request('hubclientinfo', 'SENDER')
    expect(
      (list.data as { party_id: string; status: string }[]).map((c) => `${c.party_id}:${c.status}`).sort(),
    ).toEqual(['MS2:SUSPENDED', 'MSP:CONNECTED'])
  })
})
