// HubClientInfo at its edges: a hub's burst of pushes, a revoked platform, a platform that left and came
// back, incremental pulls within a second, and the list's next-page link behind a proxy.
import { describe, expect, it } from 'vitest'
import { World } from './platforms.js'

const MSP = { country_code: 'DE', party_id: 'MSP' }

/** A hub (sender) and a CPO (receiver) linked through the hub's invitation. */
async function hubAndCpo() {
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
  )
  const cpoLink = await world.link(hub, cpo)
  return { world, hub, cpo, cpoLink, fromHub: cpo.ocpi.client(cpoLink.onTo) }
}

describe('HubClientInfo receiver', () => {
  it('stores every one of a burst of concurrent PUTs about different parties', async () => {
    const { hub, cpo, cpoLink } = await hubAndCpo()
    await hub.ocpi.client(cpoLink.onFrom).request('locations', 'SENDER')
    const authorization = cpo.received.at(-1)?.authorization ?? ''
    const ids = Array.from({ length: 20 }, (_, i) => `E${String(i).padStart(2, '0')}`)
    const answers = await Promise.all(
      ids.map(async (id) => {
        const response = await cpo.ocpi.handle(
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
  })
})

describe('HubClientInfo sender (we are the hub)', () => {
  it('pushes the parties of a platform it revoked and re-invited as SUSPENDED', async () => {
    const { world, hub, cpo, cpoLink, fromHub } = await hubAndCpo()
    const emspLink = await world.link(hub, world.add('emsp', { role: 'EMSP', ...MSP }))
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, MSP)).toBe('CONNECTED')
    world.now += 60_000
    const { peer } = await hub.ocpi.revoke(emspLink.onFrom) // e.g. the eMSP's token leaked
    expect(peer.state).toBe('invited')
    await expect.poll(() => cpo.ocpi.connectionStatus(cpoLink.onTo, MSP)).toBe('SUSPENDED')
    await expect(fromHub.request('tokens', 'RECEIVER', { to: MSP })).rejects.toMatchObject({
      code: 'ERR_OCPI_NOT_CONNECTED',
    })
  })

  it('lists a platform that left and registered again once, as it is now', async () => {
    const { world, hub, fromHub } = await hubAndCpo()
    const emsp = world.add('emsp', { role: 'EMSP', ...MSP })
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

  it('returns a change made within the second of the previous pull to the next pull from that time', async () => {
    const { world, hub, fromHub } = await hubAndCpo()
    world.now = Date.parse('2026-11-23T10:05:00.400Z')
    const pulledAt = new Date(world.now).toISOString()
    await fromHub.request('hubclientinfo', 'SENDER')
    world.now = Date.parse('2026-11-23T10:05:00.700Z') // an eMSP connects 300 ms after the pull
    await world.link(hub, world.add('emsp', { role: 'EMSP', ...MSP }))
    world.now += 60_000
    const next = await fromHub.request('hubclientinfo', 'SENDER', { query: { date_from: pulledAt } })
    expect(next.data).toEqual([
      {
        country_code: 'DE',
        party_id: 'MSP',
        role: 'EMSP',
        status: 'CONNECTED',
        last_updated: '2026-11-23T10:05:01Z',
      },
    ])
  })

  it("links the next page on the hub's published URL, not on the URL a proxy handed in", async () => {
    const { world, hub, cpo, fromHub } = await hubAndCpo()
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
})
