// Scheduled rotation: links whose token is older than the configured age are rotated, once per peer even
// when several instances run the job at the same time.
import { describe, expect, it } from 'vitest'
import { World } from './platforms.js'

const DAY = 24 * 60 * 60 * 1000

async function setup(cpoInstances = 1) {
  const world = new World()
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, {}, cpoInstances)
  const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
  const { onFrom, onTo } = await world.link(cpo, emsp)
  const puts = () => emsp.received.filter((r) => r.method === 'PUT').length
  return { world, cpo, emsp, peerId: onFrom, emspPeerId: onTo, puts }
}

describe('scheduled rotation', () => {
  it('rotates a link whose token is older than maxAgeMs, and leaves a fresh one alone', async () => {
    const { world, cpo, emsp, peerId, emspPeerId, puts } = await setup()
    world.now += 29 * DAY
    expect(await cpo.ocpi.rotateStale({ maxAgeMs: 30 * DAY })).toEqual({ rotated: [], failed: [] })
    world.now += DAY
    expect(await cpo.ocpi.rotateStale({ maxAgeMs: 30 * DAY })).toEqual({ rotated: [peerId], failed: [] })
    expect(puts()).toBe(1)
    expect(cpo.events.some((e) => e.event === 'rotated')).toBe(true)
    // The new token is fresh: the next pass does nothing; the link works both ways.
    expect(await cpo.ocpi.rotateStale({ maxAgeMs: 30 * DAY })).toEqual({ rotated: [], failed: [] })
    expect((await emsp.ocpi.client(emspPeerId).request('locations', 'SENDER')).status).toBe(200)
    expect((await cpo.ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(200)
  })

  it('with several instances running the job at once, each stale link is rotated exactly once', async () => {
    const { world, cpo, emsp, puts } = await setup(3)
    const second = await world.link(
      cpo,
      world.add('msp2', { role: 'EMSP', country_code: 'DE', party_id: 'MS2' }),
    )
    world.now += 31 * DAY
    const reports = await Promise.all(cpo.instances.map((instance) => instance.rotateStale()))
    const rotated = reports.flatMap((r) => r.rotated).sort()
    expect(rotated).toHaveLength(2)
    expect(new Set(rotated).size).toBe(2)
    expect(rotated).toContain(second.onFrom)
    expect(reports.flatMap((r) => r.failed)).toEqual([])
    expect(puts()).toBe(1)
    expect(emsp.events.filter((e) => e.event === 'rotated')).toHaveLength(1)
  })

  it('two passes on one instance at once (the job and a manual call) rotate a stale link once, failing none', async () => {
    const { world, cpo, peerId, puts } = await setup()
    world.now += 31 * DAY
    const reports = await Promise.all([cpo.ocpi.rotateStale(), cpo.ocpi.rotateStale()])
    expect(reports.flatMap((r) => r.rotated)).toEqual([peerId])
    expect(reports.flatMap((r) => r.failed)).toEqual([])
    expect(puts()).toBe(1)
  })

  it('an instanceId left undefined is the default, and one that is no name is refused', async () => {
    const { world, cpo, puts } = await setup(2)
    world.now += 31 * DAY
    // e.g. an unset environment variable: each instance its own id, so one of them takes the peer.
    const instanceId = process.env['OCPI_INSTANCE_ID_THAT_IS_NOT_SET'] as string
    const reports = await Promise.all(cpo.instances.map((i) => i.rotateStale({ instanceId })))
    expect(reports.flatMap((r) => r.rotated)).toHaveLength(1)
    expect(reports.flatMap((r) => r.failed)).toEqual([])
    expect(puts()).toBe(1)
    expect([...cpo.backing.leases.values()].map((l) => l.holder)).not.toContainEqual(
      expect.stringMatching(/^undefined/),
    )
    for (const bad of ['', 42, null]) {
      const instanceId = bad as never
      await expect(cpo.ocpi.rotateStale({ instanceId })).rejects.toMatchObject({
        code: 'ERR_OCPI_INVALID_INPUT',
      })
      await expect(cpo.ocpi.checkHealth({ instanceId })).rejects.toMatchObject({
        code: 'ERR_OCPI_INVALID_INPUT',
      })
      expect(() => cpo.ocpi.startScheduledRotation({ instanceId })).toThrow(/instanceId must be/)
      expect(() => cpo.ocpi.startHealthChecks({ instanceId })).toThrow(/instanceId must be/)
    }
  })

  it('skips a peer that is OFFLINE, and reports a rotation the peer refuses', async () => {
    const { world, cpo, emsp, peerId } = await setup()
    world.now += 31 * DAY
    world.down.add(emsp.origin)
    await cpo.ocpi.checkHealth() // silent for 31 days and down: OFFLINE
    expect(await cpo.ocpi.connectionStatus(peerId)).toBe('OFFLINE')
    expect(await cpo.ocpi.rotateStale()).toEqual({ rotated: [], failed: [] })
    // Back, but it refuses every PUT: the failure is reported with its code, the link keeps working.
    world.down.delete(emsp.origin)
    world.now += 2 * 60_000
    await cpo.ocpi.checkHealth()
    world.platforms.get(emsp.origin)?.instances.splice(0, 1, {
      ...emsp.ocpi,
      handle: async (request: Request) =>
        request.method === 'PUT'
          ? Response.json(
              { status_code: 2000, timestamp: new Date(world.now).toISOString() },
              { status: 400 },
            )
          : emsp.ocpi.handle(request),
    })
    const report = await cpo.ocpi.rotateStale()
    expect(report.rotated).toEqual([])
    expect(report.failed).toEqual([{ peerId, code: expect.stringMatching(/^ERR_OCPI_/) }])
    expect((await cpo.ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(200)
  })
})
