// The health checks at their edges: a peer that calls us while our probe of it is failing, and a job
// stopped while a pass is under way.
import { expect, it, vi } from 'vitest'
import { memoryStore } from '../src/index.js'
import { intercept, World } from './platforms.js'

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

it('a peer heard from between the pass reading it and marking it OFFLINE is not announced OFFLINE', async () => {
  const world = new World()
  let contactBeforeMark = false
  // The peer's call lands between the pass's last read of the record and its write of the mark.
  const store = intercept(memoryStore(), 'casPeer', (original) => async (id, revision, next) => {
    if (contactBeforeMark && next.state === 'registered' && next.offlineSince !== undefined) {
      contactBeforeMark = false
      await store.touchContact(id, world.now + 1)
    }
    return original(id, revision, next)
  })
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { store })
  const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
  const { onFrom: peerId } = await world.link(cpo, emsp)
  world.now += 5 * MINUTE
  world.down.add(emsp.origin) // its versions endpoint fails; its own calls to us go on
  contactBeforeMark = true
  expect(await cpo.ocpi.checkHealth()).toMatchObject({ probed: [peerId], offline: [] })
  expect(contactBeforeMark).toBe(false) // the contact did land at that point
  expect(await cpo.ocpi.connectionStatus(peerId)).toBe('CONNECTED')
  expect(await store.getPeer(peerId)).not.toHaveProperty('offlineSince')
  world.now += MINUTE
  expect(await cpo.ocpi.checkHealth()).toMatchObject({ offline: [], online: [] })
  expect(cpo.events.filter((e) => e.event === 'connection-status')).toEqual([])
})

it('stop() ends a pass under way after the peers it is at: no other peer is probed', async () => {
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
  const job = cpo.ocpi.startHealthChecks({ concurrency: 2 })
  await probing
  const stopping = job.stop() // e.g. on SIGTERM
  release()
  await stopping
  expect(new Set(probed).size).toBe(2) // the two peers it was at (their retries included), no other
})

it('peers that do not answer hold up no other probe, on their page or the next', async () => {
  const world = new World()
  let release: () => void = () => undefined
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const probedHosts = new Set<string>()
  let silent = new Set<string>()
  const cpoFetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const host = new URL(request.url).host
    if (request.url.endsWith('/ocpi/versions') && host.startsWith('emsp')) probedHosts.add(host)
    if (silent.has(host)) {
      await gate // no answer until the test is done
      throw new TypeError('fetch failed')
    }
    return world.fetch(request)
  }
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { fetch: cpoFetch })
  const links: { onFrom: string; host: string }[] = []
  // More than one page of peers (the health pass reads 100 at a time).
  for (let n = 0; n < 103; n++) {
    const emsp = world.add(`emsp${n}`, {
      role: 'EMSP',
      country_code: 'DE',
      party_id: `E${n.toString(36).toUpperCase().padStart(2, '0')}`,
    })
    links.push({ onFrom: (await world.link(cpo, emsp)).onFrom, host: new URL(emsp.origin).host })
  }
  // Peers are visited in id order, two at a time: the first does not answer.
  links.sort((a, b) => (a.onFrom < b.onFrom ? -1 : 1))
  const quiet = links.slice(0, 1)
  silent = new Set(quiet.map((link) => link.host))
  world.now += 5 * MINUTE
  probedHosts.clear() // the registrations' discovery GETs
  const pass = cpo.ocpi.checkHealth({ concurrency: 2 })
  await vi.waitFor(() => expect(probedHosts.size).toBe(links.length), { timeout: 2_000 })
  release()
  const report = await pass
  expect([...report.offline].sort()).toEqual(quiet.map((link) => link.onFrom).sort())
})

it('a token we cannot unseal fails our probe, not the peer: nothing sent, nothing marked, logged at error', async () => {
  const world = new World()
  const errors: { message: string; fields: unknown }[] = []
  const logger = { error: (message: string, fields?: unknown) => errors.push({ message, fields }) }
  let cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { logger })
  const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
  const { onFrom: peerId } = await world.link(cpo, emsp)
  // The host dropped the old sealing key before `reseal` ran: the link's token opens no more.
  cpo = world.reconfigure(cpo, { sealingKeys: [{ kid: 'new', key: new Uint8Array(32).fill(9) }] })
  world.now += 5 * MINUTE
  const probes = () => emsp.received.filter((r) => r.path === '/ocpi/versions').length
  const before = probes()
  expect(await cpo.ocpi.checkHealth()).toMatchObject({
    probed: [],
    offline: [],
    failed: [{ peerId, code: 'ERR_OCPI_SEALING' }],
  })
  expect(probes()).toBe(before)
  expect(cpo.events.filter((e) => e.event === 'connection-status')).toEqual([])
  expect(await cpo.ocpi.connectionStatus(peerId)).toBe('CONNECTED')
  expect(errors).toEqual([
    {
      message: expect.stringContaining('could not be unsealed'),
      fields: { peerId, code: 'ERR_OCPI_SEALING' },
    },
  ])
})

it('refuses options of the periodic jobs that are not positive numbers', async () => {
  const cpo = new World().add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' })
  for (const options of [
    { concurrency: 0 },
    { concurrency: 1.5 },
    { silenceMs: -1 },
    { offlineRetryMs: Number.NaN },
    { silenceMs: '1' },
    { offlineRetryMs: true },
  ]) {
    await expect(cpo.ocpi.checkHealth(options as never)).rejects.toMatchObject({
      code: 'ERR_OCPI_INVALID_INPUT',
    })
  }
  await expect(cpo.ocpi.rotateStale({ maxAgeMs: 0 })).rejects.toMatchObject({
    code: 'ERR_OCPI_INVALID_INPUT',
  })
  // A silence of a month is fine: it is compared, never waited for.
  expect((await cpo.ocpi.checkHealth({ silenceMs: 30 * 24 * 3_600_000 })).probed).toEqual([])
  for (const intervalMs of [0, true, 30 * 24 * 3_600_000]) {
    // Longer than a timer can wait (2^31 - 1 ms): Node would fire it at once, and the job run back to back.
    expect(() => cpo.ocpi.startHealthChecks({ intervalMs } as never)).toThrow(/intervalMs must be/)
    expect(() => cpo.ocpi.startScheduledRotation({ intervalMs } as never)).toThrow(/intervalMs must be/)
  }
})
