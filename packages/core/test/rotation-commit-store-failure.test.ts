// Our rotation's commit, when the store throws: the write may have landed (a connection lost after or
// during the database's COMMIT), or not. Either way the peer took our PUT and holds our new token.
import { expect, it } from 'vitest'
import { createMemoryBacking, memoryStore, type OcpiEvents } from '../src/index.js'
import { intercept, World } from './platforms.js'

const CPO = { role: 'CPO', country_code: 'NL', party_id: 'CPO' } as const
const EMSP = { role: 'EMSP', country_code: 'DE', party_id: 'MSP' } as const

function setup(mode: 'landed' | 'lost' | 'under way') {
  const world = new World()
  const backing = createMemoryBacking()
  let armed = false
  let landing: (() => unknown) | null = null
  let store = intercept(memoryStore({ backing }), 'commitToken', (commit) => async (args) => {
    if (!armed) return commit(args)
    armed = false
    if (mode === 'landed') await commit(args)
    if (mode === 'under way') landing = () => commit(args) // becomes visible when the row is next written
    throw new Error('connection lost')
  })
  // A commit still under way holds the row: the next conditional write waits for it, and loses.
  store = intercept(store, 'casPeer', (cas) => async (...args) => {
    const commit = landing
    landing = null
    if (commit !== null) await commit()
    return cas(...args)
  })
  const warnings: string[] = []
  const cpo = world.add('cpo', CPO, { store, logger: { warn: (message) => warnings.push(message) } })
  const emsp = world.add('emsp', EMSP)
  const failed: OcpiEvents['rotation-failed'][] = []
  cpo.ocpi.on('rotation-failed', (event) => failed.push(event))
  return { world, cpo, emsp, backing, failed, warnings, arm: () => (armed = true) }
}

for (const mode of ['landed', 'under way'] as const) {
  it(`a commit that ${mode === 'landed' ? 'landed' : 'was still under way'} when the store threw: the rotation is done, not reported failed`, async () => {
    const { world, cpo, emsp, failed, warnings, arm } = setup(mode)
    const { onFrom, onTo } = await world.link(cpo, emsp)
    arm()
    const peer = await cpo.ocpi.rotate(onFrom)
    expect(peer.state).toBe('registered')
    expect(failed).toEqual([])
    expect(cpo.events.filter((e) => e.event === 'rotated')).toHaveLength(1)
    expect(warnings).toContain(
      'the store reported a failure for a rotation it committed; the link is rotated',
    )
    world.now += 11 * 60_000 // past every grace and pending window: only the new tokens are left
    expect((await cpo.ocpi.client(onFrom).request('tokens', 'SENDER')).status).toBe(200)
    expect((await emsp.ocpi.client(onTo).request('locations', 'SENDER')).status).toBe(200)
  })
}

it('a commit that did not land: an unknown outcome (step commit), settled by the next health pass', async () => {
  const { world, cpo, emsp, failed, arm } = setup('lost')
  const { onFrom, onTo } = await world.link(cpo, emsp)
  arm()
  await expect(cpo.ocpi.rotate(onFrom)).rejects.toMatchObject({
    code: 'ERR_OCPI_OUTCOME_UNKNOWN',
    step: 'commit',
  })
  expect(failed).toEqual([{ peerId: onFrom, code: 'ERR_OCPI_OUTCOME_UNKNOWN', outcome: 'unknown' }])
  expect(cpo.events.filter((e) => e.event === 'rotated')).toHaveLength(0)
  // The peer took our PUT: the health pass asks it (GET credentials with our old token) and commits.
  world.now += 30_000
  expect(await cpo.ocpi.checkHealth()).toMatchObject({ settled: [onFrom] })
  world.now += 11 * 60_000
  expect((await cpo.ocpi.client(onFrom).request('tokens', 'SENDER')).status).toBe(200)
  expect((await emsp.ocpi.client(onTo).request('locations', 'SENDER')).status).toBe(200)
})
