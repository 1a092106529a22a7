// The windows of our own rotation after the peer may have taken our PUT, where a working link used to
// die: a commit that keeps losing the record to other writers, a process that dies after its PUT, a
// rotation whose calls outlast its budget; and a rotate that cannot even read its own token.
import { describe, expect, it } from 'vitest'
import { createMemoryBacking, createOcpi, memoryStore, OcpiConfigError } from '../src/index.js'
import { dyingAfterPut, intercept, World } from './platforms.js'

const MINUTE = 60_000
const CPO = { role: 'CPO', country_code: 'NL', party_id: 'CPO' } as const
const EMSP = { role: 'EMSP', country_code: 'DE', party_id: 'MSP' } as const

/** The HTTP status of a call, or the code it failed with. */
const outcomeOf = (call: Promise<{ status: number }>) =>
  call.then(
    (response) => response.status,
    (error: unknown) => (error as { code: string }).code,
  )

/** Both directions of a link, each as the outcome of one module call. */
async function bothWays(world: World, cpoPeerId: string, emspPeerId: string) {
  const cpo = world.platforms.get('https://cpo.example.com')
  const emsp = world.platforms.get('https://emsp.example.com')
  if (cpo === undefined || emsp === undefined) throw new Error('no such platforms')
  return [
    await outcomeOf(cpo.ocpi.client(cpoPeerId).request('tokens', 'SENDER')),
    await outcomeOf(emsp.ocpi.client(emspPeerId).request('locations', 'SENDER')),
  ]
}

describe('our rotation after the peer took our PUT', () => {
  it('a commit that keeps losing the record to other writers is left to settle, not dropped', async () => {
    const world = new World()
    const backing = createMemoryBacking()
    const inner = memoryStore({ backing })
    const other = memoryStore({ backing }) // another instance on the same database
    let interfere = 0
    const store = intercept(inner, 'commitToken', (commit) => async (args) => {
      if (interfere > 0) {
        interfere--
        // Another instance writes the record meanwhile (a hub's ClientInfo batch, say).
        const now = await other.getPeer(args.peerId)
        if (now !== null) await other.casPeer(now.id, now.revision, { ...now, updatedAt: world.now })
      }
      return commit(args)
    })
    const cpo = world.add('cpo', CPO, { store })
    const emsp = world.add('emsp', EMSP)
    const { onFrom: peerId, onTo: emspPeerId } = await world.link(cpo, emsp)
    const failures: unknown[] = []
    cpo.ocpi.on('rotation-failed', (event) => failures.push(event))

    interfere = 1_000 // every try of the commit loses
    const error = await cpo.ocpi.rotate(peerId).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'commit' })
    expect(failures).toEqual([{ peerId, code: 'ERR_OCPI_OUTCOME_UNKNOWN', outcome: 'unknown' }])
    expect(emsp.events.filter((e) => e.event === 'rotated')).toHaveLength(1) // the peer took it

    interfere = 0
    world.now += MINUTE
    expect((await cpo.ocpi.checkHealth()).settled).toEqual([peerId])
    world.now += 11 * MINUTE // past our pending expiry and the peer's grace window
    expect(await bothWays(world, peerId, emspPeerId)).toEqual([200, 200])
  })

  it('a process that died after its PUT leaves a mark the health checks settle once the budget passed', async () => {
    const world = new World()
    // The PUT reaches the peer; the instance is gone before it reads the answer.
    const death = dyingAfterPut(world)
    const fetch = death.fetch
    const cpo = world.add('cpo', CPO, { fetch }, 2)
    const emsp = world.add('emsp', EMSP)
    const { onFrom: peerId, onTo: emspPeerId } = await world.link(cpo, emsp)
    const [gone, survivor] = cpo.instances
    if (gone === undefined || survivor === undefined) throw new Error('two instances')
    death.dying = true
    void gone.rotate(peerId).catch(() => undefined) // its deadline ends it; nothing of it is used
    await expect.poll(() => emsp.events.filter((e) => e.event === 'rotated').length).toBe(1)
    death.dying = false

    // Within the rotation's budget the mark is a rotation under way: nothing settles it yet.
    world.now += MINUTE
    expect((await survivor.checkHealth()).settled).toEqual([])
    // Past it (120 s of calls and a margin), the process must have died: the peer is asked.
    world.now += 2 * MINUTE
    expect((await survivor.checkHealth()).settled).toEqual([peerId])
    world.now += 11 * MINUTE
    expect(await bothWays(world, peerId, emspPeerId)).toEqual([200, 200])
  })

  it("all of a rotation's calls end within the transport's total timeout, not each call", async () => {
    const world = new World()
    const slow = async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      const response = await world.fetch(request)
      // Each answer takes 120 ms: well within the 300 ms of one call, not three of them in a row.
      if (slowing) await new Promise((resolve) => setTimeout(resolve, 120))
      return response
    }
    let slowing = false
    const cpo = world.add('cpo', CPO, {
      fetch: slow,
      transport: { getRetries: 0, timeouts: { total: 300 } },
      pendingTtlMs: 2 * (300 + 30_000),
    })
    const emsp = world.add('emsp', EMSP)
    const { onFrom: peerId } = await world.link(cpo, emsp)
    slowing = true
    const error = await cpo.ocpi.rotate(peerId).then(
      () => null,
      (e: unknown) => e,
    )
    // The deadline passed during the PUT (its outcome unknown) or just before it.
    expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_OCPI_(OUTCOME_UNKNOWN|PEER_TIMEOUT)$/) })
  })
})

describe('rotate before anything is written', () => {
  it('a token no configured key opens fails the rotation with nothing left behind', async () => {
    const world = new World()
    const cpo = world.add('cpo', CPO)
    const emsp = world.add('emsp', EMSP)
    const { onFrom: peerId, onTo: emspPeerId } = await world.link(cpo, emsp)
    const tokensBefore = [...cpo.backing.tokens.values()].filter((t) => t.peerId === peerId)

    // The old sealing key was dropped from the configuration (`reseal` reports such a peer unreadable).
    const next = world.reconfigure(cpo, { sealingKeys: [{ kid: 'k2', key: new Uint8Array(32).fill(9) }] })
    await expect(next.ocpi.rotate(peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_SEALING' })

    expect([...cpo.backing.tokens.values()].filter((t) => t.peerId === peerId)).toEqual(tokensBefore)
    expect(cpo.backing.peers.get(peerId)).not.toHaveProperty('rotation')
    expect(emsp.received.filter((r) => r.method === 'PUT')).toEqual([])
    // Nothing blocks the peer's own rotation.
    await expect(emsp.ocpi.rotate(emspPeerId)).resolves.toMatchObject({ state: 'registered' })
  })
})

describe('createOcpi', () => {
  it('refuses a pending-token lifetime shorter than twice the transport total timeout and 30 s', () => {
    const options = {
      baseUrl: 'https://cpo.example.com/ocpi',
      parties: [{ ...CPO, business_details: { name: 'CPO' } }],
      store: memoryStore(),
      sealingKeys: [{ kid: 'k', key: new Uint8Array(32).fill(7) }],
    }
    expect(() => createOcpi({ ...options, pendingTtlMs: 4 * MINUTE })).toThrow(OcpiConfigError)
    expect(() => createOcpi({ ...options, pendingTtlMs: 4 * MINUTE })).toThrow(
      /pendingTtlMs \(240000 ms\) must be at least twice the transport's total timeout and 30 s \(300000 ms\)/,
    )
    // A short total timeout still leaves the 30 s after which an orphaned mark is asked about.
    expect(() =>
      createOcpi({ ...options, pendingTtlMs: 40_000, transport: { timeouts: { total: 10_000 } } }),
    ).toThrow(OcpiConfigError)
    expect(() =>
      createOcpi({ ...options, pendingTtlMs: 4 * MINUTE, transport: { timeouts: { total: 90_000 } } }),
    ).not.toThrow()
  })
})
