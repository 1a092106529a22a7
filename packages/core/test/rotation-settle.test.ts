// A rotation whose outcome was unknown is settled by the health checks while our pending token lives:
// a peer that took our PUT (its answer lost) keeps a working link after its grace window and our
// pending expiry, which before needed someone to rotate again in time. A mark that outlived the pending
// token, or one left by a process that died during its PUT, blocks nothing.
import { describe, expect, it } from 'vitest'
import { memoryStore, type Ocpi } from '../src/index.js'
import { dyingAfterPut, World } from './platforms.js'

const MINUTE = 60_000

async function setup(cpoInstances = 1) {
  const world = new World()
  /** Runs once, just before the next settling GET reaches the peer. */
  let beforeRead: (() => Promise<void>) | null = null
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const hook = beforeRead
    if (hook !== null && request.method === 'GET' && request.url.endsWith('/ocpi/2.2.1/credentials')) {
      beforeRead = null
      await hook()
    }
    return world.fetch(request)
  }
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { fetch }, cpoInstances)
  const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
  const { onFrom, onTo } = await world.link(cpo, emsp)
  const put = `PUT ${emsp.origin} /ocpi/2.2.1/credentials`
  const read = `GET ${emsp.origin} /ocpi/2.2.1/credentials`
  const reads = () =>
    emsp.received.filter((r) => r.method === 'GET' && r.path.endsWith('/credentials')).length
  /** Both directions of the link, each as the HTTP status of one module call. */
  const calls = async () => [
    await cpo.ocpi
      .client(onFrom)
      .request('tokens', 'SENDER')
      .then((r) => r.status),
    await emsp.ocpi
      .client(onTo)
      .request('locations', 'SENDER')
      .then((r) => r.status),
  ]
  const onRead = (hook: () => Promise<void>) => {
    beforeRead = hook
  }
  /** A rotation whose PUT the peer takes, its answer and the settling GET's both lost: unknown outcome. */
  const rotateLosingAnswers = async (instance: Ocpi = cpo.ocpi) => {
    world.lost.add(put)
    world.lost.add(read)
    await expect(instance.rotate(onFrom)).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN' })
    world.lost.clear()
  }
  return {
    world,
    cpo,
    emsp,
    peerId: onFrom,
    emspPeerId: onTo,
    put,
    read,
    reads,
    calls,
    onRead,
    rotateLosingAnswers,
  }
}

describe('settling a rotation whose outcome was unknown', () => {
  it('commits it in the next health pass when the peer took our PUT, and the link outlives every window', async () => {
    const { world, cpo, emsp, peerId, rotateLosingAnswers, calls } = await setup()
    await rotateLosingAnswers()
    expect(emsp.events.filter((e) => e.event === 'rotated')).toHaveLength(1) // the peer took it
    expect(cpo.events.filter((e) => e.event === 'rotated')).toHaveLength(0)
    world.now += 30_000
    expect(await cpo.ocpi.checkHealth()).toMatchObject({ settled: [peerId] })
    expect(cpo.events.filter((e) => e.event === 'rotated')).toEqual([
      { event: 'rotated', payload: { peerId, version: '2.2.1', by: 'us' } },
    ])
    // Past the peer's grace for our old token and past our pending token's lifetime: both directions
    // work on the new tokens (the peer's calls were made with our pending token, now current).
    world.now += 11 * MINUTE
    expect(await calls()).toEqual([200, 200])
    expect((await cpo.ocpi.checkHealth()).settled).toEqual([])
  })

  it('asks again at most every offlineRetryMs while the peer cannot tell, then settles', async () => {
    const { world, cpo, peerId, read, reads, rotateLosingAnswers, calls } = await setup()
    await rotateLosingAnswers()
    world.lost.add(read) // the peer cannot tell us, for now
    let asked = reads()
    world.now += 30_000
    expect((await cpo.ocpi.checkHealth()).settled).toEqual([])
    expect(reads()).toBe(asked + 1)
    asked = reads()
    world.now += 30_000
    expect((await cpo.ocpi.checkHealth()).settled).toEqual([]) // within a minute of the last question
    expect(reads()).toBe(asked)
    world.lost.clear()
    world.now += 30_000
    expect((await cpo.ocpi.checkHealth()).settled).toEqual([peerId])
    world.now += 11 * MINUTE
    expect(await calls()).toEqual([200, 200])
  })

  it('a PUT that never reached the peer: nothing is committed, the mark expires, and nothing stays blocked', async () => {
    const { world, cpo, emsp, peerId, put, calls } = await setup()
    world.dropped.add(put)
    await expect(cpo.ocpi.rotate(peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN' })
    world.dropped.clear()
    // The peer still hands us our old token: not settled, asked again later.
    world.now += MINUTE
    expect((await cpo.ocpi.checkHealth()).settled).toEqual([])
    expect(cpo.events.filter((e) => e.event === 'rotated')).toHaveLength(0)
    // Past the pending token's lifetime the mark is cleared; the link is on its old tokens.
    world.now += 10 * MINUTE
    expect(await cpo.ocpi.checkHealth()).toMatchObject({ settled: [], expired: [peerId] })
    expect(await calls()).toEqual([200, 200])
    // Nothing stays blocked: a silent, unreachable peer goes OFFLINE; once back, it is rotated.
    world.now += 5 * MINUTE
    world.down.add(emsp.origin)
    expect((await cpo.ocpi.checkHealth()).offline).toEqual([peerId])
    world.down.delete(emsp.origin)
    world.now += MINUTE
    expect((await cpo.ocpi.checkHealth()).online).toEqual([peerId])
    expect(await cpo.ocpi.rotateStale({ maxAgeMs: MINUTE })).toEqual({ rotated: [peerId], failed: [] })
  })

  it('a mark left by a process that died during its PUT blocks nothing once the pending token is dead', async () => {
    const { world, cpo, emsp, peerId } = await setup()
    const store = memoryStore({ backing: cpo.backing })
    const record = await store.getPeer(peerId)
    if (record?.state !== 'registered') throw new Error('not registered')
    const marked = await store.casPeer(peerId, record.revision, {
      ...record,
      revision: record.revision + 1,
      rotation: { digest: 'f'.repeat(64) as never, startedAt: world.now },
    })
    expect(marked).not.toBeNull()
    // While fresh, it is a rotation under way: another one is refused before anything is sent.
    await expect(cpo.ocpi.rotate(peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_CONFLICT' })
    world.now += 11 * MINUTE
    world.down.add(emsp.origin)
    expect((await cpo.ocpi.checkHealth()).offline).toEqual([peerId])
    world.down.delete(emsp.origin)
    world.now += MINUTE
    await cpo.ocpi.checkHealth()
    expect(await cpo.ocpi.rotateStale({ maxAgeMs: MINUTE })).toEqual({ rotated: [peerId], failed: [] })
  })

  it('a mark left by a process that died after the peer took its PUT is reported and logged when it expires', async () => {
    const world = new World()
    const warnings: { message: string; fields: unknown }[] = []
    // The PUT reaches the peer; the instance is gone before it reads the answer.
    const death = dyingAfterPut(world)
    const fetch = death.fetch
    const logger = { warn: (message: string, fields?: unknown) => warnings.push({ message, fields }) }
    const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { fetch, logger }, 2)
    const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
    const { onFrom: peerId } = await world.link(cpo, emsp)
    const [gone, survivor] = cpo.instances as [Ocpi, Ocpi]
    death.dying = true
    void gone.rotate(peerId).catch(() => undefined)
    await expect.poll(() => emsp.events.filter((e) => e.event === 'rotated').length).toBe(1)
    death.dying = false
    // The peer is out of reach from just after our PUT until past our pending token's lifetime, the
    // health checks running every 30 s meanwhile: nothing could be settled.
    world.down.add(emsp.origin)
    const expired: string[] = []
    for (let t = 0; t < 11 * 2; t++) {
      world.now += 30_000
      expired.push(...(await survivor.checkHealth()).expired)
    }
    expect(expired).toEqual([peerId]) // once, by the pass that cleared the mark
    expect(await memoryStore({ backing: cpo.backing }).getPeer(peerId)).not.toHaveProperty('rotation')
    expect(warnings.filter((w) => /rotation/.test(w.message))).toEqual([
      {
        message: expect.stringContaining('needs a new registration'),
        fields: { peerId, outcome: 'abandoned' },
      },
    ])
  })

  it('rotating over a mark that outlived its pending token logs it, as the health checks do, and rotates', async () => {
    const world = new World()
    const warnings: { message: string; fields: unknown }[] = []
    const logger = { warn: (message: string, fields?: unknown) => warnings.push({ message, fields }) }
    const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { logger })
    const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
    const { onFrom: peerId } = await world.link(cpo, emsp)
    const store = memoryStore({ backing: cpo.backing })
    const record = await store.getPeer(peerId)
    if (record?.state !== 'registered') throw new Error('not registered')
    await store.casPeer(peerId, record.revision, {
      ...record,
      revision: record.revision + 1,
      rotation: { digest: 'f'.repeat(64) as never, startedAt: world.now },
    })
    world.now += 11 * MINUTE
    await expect(cpo.ocpi.rotate(peerId)).resolves.toMatchObject({ state: 'registered' })
    expect(emsp.events.filter((e) => e.event === 'rotated')).toHaveLength(1)
    expect(warnings.map((w) => w.fields)).toEqual([{ peerId, outcome: 'abandoned' }])
  })

  it('rotating again asks the peer first: settled when it took our PUT, refused while still unknown', async () => {
    const { world, cpo, emsp, peerId, rotateLosingAnswers, calls } = await setup()
    await rotateLosingAnswers()
    // The peer is briefly unreachable: nothing can be learnt, and no second rotation starts beside the
    // first (it would drop the token the peer holds on its first failure).
    world.down.add(emsp.origin)
    await expect(cpo.ocpi.rotate(peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_CONFLICT' })
    world.down.delete(emsp.origin)
    const puts = emsp.received.filter((r) => r.method === 'PUT').length
    await expect(cpo.ocpi.rotate(peerId)).resolves.toMatchObject({ state: 'registered' })
    expect(emsp.received.filter((r) => r.method === 'PUT').length).toBe(puts) // settled, no new PUT
    expect(cpo.events.filter((e) => e.event === 'rotated')).toHaveLength(1)
    world.now += 11 * MINUTE
    expect(await calls()).toEqual([200, 200])
  })

  it('a PUT that never reached the peer blocks the next rotation until the pending token expires', async () => {
    const { world, cpo, emsp, peerId, put, calls } = await setup()
    world.dropped.add(put)
    await expect(cpo.ocpi.rotate(peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN' })
    world.dropped.clear()
    const refused = await cpo.ocpi.rotate(peerId).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'ERR_OCPI_CONFLICT' })
    expect((refused as Error).message).toContain(new Date(world.now + 10 * MINUTE).toISOString())
    world.now += 10 * MINUTE
    await expect(cpo.ocpi.rotate(peerId)).resolves.toMatchObject({ state: 'registered' })
    expect(emsp.events.filter((e) => e.event === 'rotated')).toHaveLength(1)
    world.now += 11 * MINUTE
    expect(await calls()).toEqual([200, 200])
  })

  it('two instances: a settle and a rotate racing each other settle once, and the peer’s token lives', async () => {
    const { world, cpo, peerId, rotateLosingAnswers, calls, onRead } = await setup(2)
    const [first, second] = cpo.instances as [Ocpi, Ocpi]
    await rotateLosingAnswers(first)
    world.now += 30_000
    // While the first instance's settling GET is on its way, the second settles through rotate.
    let raced: unknown
    onRead(async () => {
      raced = await second.rotate(peerId).catch((e: unknown) => e)
    })
    const report = await first.checkHealth()
    expect(raced).toMatchObject({ state: 'registered' })
    expect(report.settled).toEqual([]) // the other instance committed first; nothing was aborted
    expect(cpo.events.filter((e) => e.event === 'rotated')).toHaveLength(1)
    world.now += 11 * MINUTE
    expect(await calls()).toEqual([200, 200])
  })

  it('the peer’s PUT with our pending token settles ours: our old token dies, no pending token lingers', async () => {
    const { world, cpo, emsp, peerId, emspPeerId, rotateLosingAnswers } = await setup()
    const bearer = () => atob((cpo.received.at(-1)?.authorization ?? '').replace(/^Token /, ''))
    expect((await emsp.ocpi.client(emspPeerId).request('locations', 'SENDER')).status).toBe(200)
    const old = bearer()
    await rotateLosingAnswers()
    expect((await emsp.ocpi.client(emspPeerId).request('locations', 'SENDER')).status).toBe(200)
    const pending = bearer() // the peer took our PUT: it calls with our pending token
    expect(pending).not.toBe(old)
    await emsp.ocpi.rotate(emspPeerId) // its PUT, made with our pending token
    const kinds = [...cpo.backing.tokens.values()]
      .filter((t) => t.peerId === peerId && t.kind !== 'consumed-invitation')
      .map((t) => t.kind)
      .sort()
    expect(kinds).toEqual(['current', 'previous']) // previous: the pending token the peer used
    const asPeer = (token: string, path: string) =>
      cpo.ocpi.handle(
        new Request(`${cpo.origin}/ocpi/2.2.1/${path}`, {
          headers: { authorization: `Token ${btoa(token)}` },
        }),
      )
    expect((await asPeer(old, 'credentials')).status).toBe(401) // our old token reads nothing
    world.now += 6 * MINUTE // past the grace window, within the pending token's former lifetime
    const late = await cpo.ocpi.authenticate(
      new Request(`${cpo.origin}/ocpi/2.2.1/locations`, {
        headers: { authorization: `Token ${btoa(pending)}` },
      }),
      { module: 'locations' },
    )
    expect(late.ok).toBe(false)
    expect((await emsp.ocpi.client(emspPeerId).request('locations', 'SENDER')).status).toBe(200)
  })

  it('the peer may rotate while ours is unsettled: its PUT is taken, and ours is no longer settled', async () => {
    const { world, cpo, emsp, emspPeerId, rotateLosingAnswers, calls } = await setup()
    await rotateLosingAnswers()
    await expect(emsp.ocpi.rotate(emspPeerId)).resolves.toMatchObject({ state: 'registered' })
    world.now += 30_000
    expect((await cpo.ocpi.checkHealth()).settled).toEqual([])
    world.now += 11 * MINUTE
    expect(await calls()).toEqual([200, 200])
  })
})
