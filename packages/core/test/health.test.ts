// Connection health: the still-alive probe after a silence, OFFLINE and back, one probe per peer across
// instances, and the outbound client refusing to send to a party that is not CONNECTED.
import { describe, expect, it } from 'vitest'
import { OcpiError } from '../src/index.js'
import { World } from './platforms.js'

const MINUTE = 60_000

async function setup(cpoInstances = 1) {
  const world = new World()
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, {}, cpoInstances)
  const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
  const { onFrom, onTo } = await world.link(cpo, emsp)
  const probes = () => emsp.received.filter((r) => r.method === 'GET' && r.path === '/ocpi/versions').length
  return { world, cpo, emsp, peerId: onFrom, emspPeerId: onTo, probes }
}

describe('connection health', () => {
  it('probes a silent peer only after the silence, marks it OFFLINE when it does not answer, and back', async () => {
    const { world, cpo, emsp, peerId, probes } = await setup()
    const before = probes()
    expect(await cpo.ocpi.checkHealth()).toEqual({
      probed: [],
      offline: [],
      online: [],
      settled: [],
      expired: [],
      failed: [],
    })
    world.now += 5 * MINUTE
    world.down.add(emsp.origin)
    expect(await cpo.ocpi.checkHealth()).toEqual({
      probed: [peerId],
      offline: [peerId],
      online: [],
      settled: [],
      expired: [],
      failed: [],
    })
    expect(await cpo.ocpi.connectionStatus(peerId)).toBe('OFFLINE')
    expect(cpo.events).toContainEqual({
      event: 'connection-status',
      payload: { peerId, status: 'OFFLINE', previous: 'CONNECTED' },
    })
    // Nothing is sent to an OFFLINE peer.
    const refused = await cpo.ocpi
      .client(peerId)
      .request('tokens', 'SENDER')
      .catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(OcpiError)
    expect((refused as OcpiError).code).toBe('ERR_OCPI_NOT_CONNECTED')
    // Not probed again before the retry interval, then probed: it answers, and is CONNECTED again.
    expect((await cpo.ocpi.checkHealth()).probed).toEqual([])
    world.down.delete(emsp.origin)
    world.now += MINUTE
    expect(await cpo.ocpi.checkHealth()).toEqual({
      probed: [peerId],
      offline: [],
      online: [peerId],
      settled: [],
      expired: [],
      failed: [],
    })
    expect(await cpo.ocpi.connectionStatus(peerId)).toBe('CONNECTED')
    expect(cpo.events.at(-1)).toEqual({
      event: 'connection-status',
      payload: { peerId, status: 'CONNECTED', previous: 'OFFLINE' },
    })
    expect(probes() - before).toBe(1) // the down probe never reached it
    expect((await cpo.ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(200)
  })

  it("an OFFLINE peer's own request makes it CONNECTED at once; the next pass records it without a probe", async () => {
    const { world, cpo, emsp, peerId, emspPeerId, probes } = await setup()
    world.now += 5 * MINUTE
    world.down.add(emsp.origin)
    await cpo.ocpi.checkHealth()
    world.down.delete(emsp.origin)
    world.now += 1_000
    expect((await emsp.ocpi.client(emspPeerId).request('locations', 'SENDER')).status).toBe(200)
    expect(await cpo.ocpi.connectionStatus(peerId)).toBe('CONNECTED')
    const before = probes()
    expect(await cpo.ocpi.checkHealth()).toEqual({
      probed: [],
      offline: [],
      online: [peerId],
      settled: [],
      expired: [],
      failed: [],
    })
    expect(probes()).toBe(before)
  })

  it('with several instances sharing the store, each silent peer is probed once per pass', async () => {
    const { world, cpo, probes } = await setup(3)
    world.now += 5 * MINUTE
    const before = probes()
    const reports = await Promise.all(cpo.instances.map((instance) => instance.checkHealth()))
    expect(reports.flatMap((r) => r.probed)).toHaveLength(1)
    expect(probes() - before).toBe(1)
  })

  it('a started job runs passes until stopped', async () => {
    const { world, cpo, emsp, peerId } = await setup()
    world.now += 5 * MINUTE
    world.down.add(emsp.origin)
    const job = cpo.ocpi.startHealthChecks({ intervalMs: 10 })
    await expect
      .poll(() => cpo.ocpi.connectionStatus(peerId), { interval: 5, timeout: 2_000 })
      .toBe('OFFLINE')
    await job.stop()
  })

  it('reports PLANNED for an invited peer and SUSPENDED for an ended link', async () => {
    const { world, cpo, peerId } = await setup()
    const invitation = await cpo.ocpi.invite()
    expect(await cpo.ocpi.connectionStatus(invitation.peerId)).toBe('PLANNED')
    await cpo.ocpi.unregister(peerId)
    expect(await cpo.ocpi.connectionStatus(peerId)).toBe('SUSPENDED')
    expect(world.now).toBeGreaterThan(0)
  })
})
