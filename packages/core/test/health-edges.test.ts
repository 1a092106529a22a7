// The health checks at their edges: a peer that calls us while our probe of it is failing, and a job
// stopped while a pass is under way.
import { expect, it } from 'vitest'
import { World } from './platforms.js'

const MINUTE = 60_000

it('a peer that calls us while our probe of it fails is not marked OFFLINE, nor left OFFLINE', async () => {
  const world = new World()
  let duringProbe: (() => Promise<void>) | undefined
  let probeTakesMs = 25_000
  // The CPO's still-alive GET of the eMSP's versions hangs and fails 25 s later (a broken versions
  // endpoint); meanwhile the eMSP keeps calling the CPO.
  const cpoFetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    if (request.url === 'https://emsp.example.com/ocpi/versions' && duringProbe !== undefined) {
      await duringProbe()
      world.now += probeTakesMs
      throw new TypeError('fetch failed')
    }
    return world.fetch(request)
  }
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { fetch: cpoFetch })
  const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
  const { onFrom: peerId, onTo: emspPeerId } = await world.link(cpo, emsp)
  const emspCalls = async () => {
    expect((await emsp.ocpi.client(emspPeerId).request('locations', 'SENDER')).status).toBe(200)
  }
  world.now += 5 * MINUTE
  duringProbe = async () => {
    world.now += 2_000
    await emspCalls() // 2 s into the probe
  }
  const report = await cpo.ocpi.checkHealth()
  duringProbe = undefined
  expect(report.probed).toEqual([peerId])
  expect(report.offline).toEqual([])
  expect(await cpo.ocpi.connectionStatus(peerId)).toBe('CONNECTED')

  // Marked OFFLINE by a probe that failed with no contact (silence of 10 s allowed here), the peer's next
  // call brings it back at once, although contact was written less than 30 s before (the write interval).
  world.now += 10 * MINUTE
  await emspCalls()
  world.now += 15_000
  duringProbe = async () => undefined
  probeTakesMs = 0
  expect((await cpo.ocpi.checkHealth({ silenceMs: 10_000 })).offline).toEqual([peerId])
  duringProbe = undefined
  world.now += 2_000
  await emspCalls()
  expect(await cpo.ocpi.connectionStatus(peerId)).toBe('CONNECTED')
})

it('stop() ends a pass under way after the peer it is at: no other peer is probed', async () => {
  const world = new World()
  const probed: string[] = []
  let release: () => void = () => undefined
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  let firstProbe: () => void = () => undefined
  const probing = new Promise<void>((resolve) => {
    firstProbe = resolve
  })
  let armed = false
  const cpoFetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    if (armed && request.url.endsWith('/ocpi/versions') && request.url.includes('://emsp')) {
      probed.push(new URL(request.url).host)
      firstProbe()
      await gate // a peer that does not answer
      throw new TypeError('fetch failed')
    }
    return world.fetch(request)
  }
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { fetch: cpoFetch })
  for (const n of [1, 2, 3, 4]) {
    await world.link(cpo, world.add(`emsp${n}`, { role: 'EMSP', country_code: 'DE', party_id: `MS${n}` }))
  }
  world.now += 5 * MINUTE
  armed = true
  const job = cpo.ocpi.startHealthChecks()
  await probing
  const stopping = job.stop() // e.g. on SIGTERM
  release()
  await stopping
  expect(new Set(probed).size).toBe(1) // the peer it was at (its retries included), and no other
})
