// Our rotation's commit, when the store throws: the write may have landed (a connection lost after or
// during the database's COMMIT), or not. Either way the peer took our PUT and holds our new token.
import { expect, it } from 'vitest'
import { createMemoryBacking, memoryStore, type Ocpi, type OcpiEvents } from '../src/index.js'
import { intercept, type Platform, World } from './platforms.js'

const CPO = { role: 'CPO', country_code: 'NL', party_id: 'CPO' } as const
const EMSP = { role: 'EMSP', country_code: 'DE', party_id: 'MSP' } as const

/** Past every grace and pending window, only the new tokens are left: both directions work on them. */
async function expectBothWaysOnNewTokens(
  world: World,
  cpo: Platform,
  emsp: Platform,
  ids: { onFrom: string; onTo: string },
): Promise<void> {
  world.now += 11 * 60_000
  expect((await cpo.ocpi.client(ids.onFrom).request('tokens', 'SENDER')).status).toBe(200)
  expect((await emsp.ocpi.client(ids.onTo).request('locations', 'SENDER')).status).toBe(200)
}

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
    await expectBothWaysOnNewTokens(world, cpo, emsp, { onFrom, onTo })
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
  await expectBothWaysOnNewTokens(world, cpo, emsp, { onFrom, onTo })
})

it('another instance settles between the mark write and the read-back: one rotation, one rotated event', async () => {
  const world = new World()
  const backing = createMemoryBacking()
  let armed = false
  let readBack: (() => Promise<unknown>) | null = null
  let store = intercept(memoryStore({ backing }), 'commitToken', (commit) => async (args) => {
    if (!armed) return commit(args)
    armed = false
    readBack = hook
    throw new Error('connection lost') // did NOT land
  })
  store = intercept(store, 'listTokens', (list) => async (peerId) => {
    const h = readBack
    readBack = null
    if (h !== null) await h()
    return list(peerId)
  })
  const warnings: string[] = []
  const cpo = world.add('cpo', CPO, { store, logger: { warn: (m) => warnings.push(m) } }, 2)
  const emsp = world.add('emsp', EMSP)
  const { onFrom, onTo } = await world.link(cpo, emsp)
  const [a, b] = cpo.instances as [Ocpi, Ocpi]
  // A's mark now says 'unknown': B's health pass (or B's rotate) settles it before A reads back.
  const hook = async () => {
    expect(await b.checkHealth()).toMatchObject({ settled: [onFrom] })
  }
  const failed: OcpiEvents['rotation-failed'][] = []
  a.on('rotation-failed', (e) => failed.push(e))
  armed = true
  // The store did not commit A's write: B's settle did. A ends as a lost compare-and-swap does.
  await expect(a.rotate(onFrom)).rejects.toMatchObject({ code: 'ERR_OCPI_CONFLICT', step: 'commit' })
  expect(warnings).not.toContain(
    'the store reported a failure for a rotation it committed; the link is rotated',
  )
  expect(failed).toEqual([])
  // One rotation, one `rotated` event (B's).
  expect(cpo.events.filter((e) => e.event === 'rotated')).toHaveLength(1)
  await expectBothWaysOnNewTokens(world, cpo, emsp, { onFrom, onTo })
})

it("the peer's PUT with our pending token, read back mid-way: our rotation is not reported committed by us", async () => {
  const world = new World()
  const backing = createMemoryBacking()
  let armed = false
  let readBack: (() => Promise<unknown>) | null = null
  let releasePut: (() => void) | null = null
  let holdNextIssue = false
  let putHeld!: () => void
  const held = new Promise<void>((r) => {
    putHeld = r
  })
  let store = intercept(memoryStore({ backing }), 'commitToken', (commit) => async (args) => {
    if (armed) {
      armed = false
      readBack = hook
      throw new Error('connection lost') // did NOT land
    }
    if (holdNextIssue && 'issue' in args.token) {
      // The peer's PUT: settleOnUse has promoted our pending token; its own commit waits a moment.
      holdNextIssue = false
      await new Promise<void>((r) => {
        releasePut = r
        putHeld()
      })
    }
    return commit(args)
  })
  store = intercept(store, 'listTokens', (list) => async (peerId) => {
    const h = readBack
    readBack = null
    if (h !== null) await h()
    return list(peerId)
  })
  const warnings: string[] = []
  const cpo = world.add('cpo', CPO, { store, logger: { warn: (m) => warnings.push(m) } })
  const emsp = world.add('emsp', EMSP)
  const { onFrom, onTo } = await world.link(cpo, emsp)
  let peerPut: Promise<unknown> = Promise.resolve()
  const hook = async () => {
    holdNextIssue = true
    peerPut = emsp.ocpi.rotate(onTo).catch((e: unknown) => e) // PUTs to us with our pending token
    await held
  }
  armed = true
  const ours = await cpo.ocpi.rotate(onFrom).catch((e: unknown) => e)
  ;(releasePut as unknown as () => void)()
  const theirs = await peerPut
  expect(ours).toMatchObject({ code: 'ERR_OCPI_CONFLICT', step: 'commit' })
  expect(theirs).toMatchObject({ state: 'registered' })
  expect(warnings).not.toContain(
    'the store reported a failure for a rotation it committed; the link is rotated',
  )
  // One rotation by the peer; ours never committed on our side.
  expect(
    cpo.events.filter((e) => e.event === 'rotated').map((e) => (e.payload as { by: string }).by),
  ).toEqual(['peer'])
})

it('settling: a commit still under way when the store threw is found once the mark is written', async () => {
  const { world, cpo, emsp, arm } = setup('under way')
  const { onFrom } = await world.link(cpo, emsp)
  world.lost.add(`PUT ${emsp.origin} /ocpi/2.2.1/credentials`)
  world.lost.add(`GET ${emsp.origin} /ocpi/2.2.1/credentials`)
  await expect(cpo.ocpi.rotate(onFrom)).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN' })
  world.lost.clear()
  world.now += 30_000
  arm() // the settling commit of the next pass throws while its COMMIT is still under way
  expect(await cpo.ocpi.checkHealth()).toMatchObject({ settled: [onFrom] })
  expect(cpo.events.filter((e) => e.event === 'rotated')).toHaveLength(1)
})

it('a store down at the commit and after: the error says the health checks settle it after the time budget, and they do', async () => {
  const world = new World()
  const backing = createMemoryBacking()
  let down = false
  let store = memoryStore({ backing })
  for (const m of ['getPeer', 'casPeer', 'listTokens'] as const) {
    store = intercept(
      store,
      m,
      (orig) =>
        (async (...args: unknown[]) => {
          if (down) throw new Error('ECONNREFUSED')
          return (orig as (...a: unknown[]) => unknown)(...args)
        }) as never,
    )
  }
  store = intercept(store, 'commitToken', (commit) => async (args) => {
    if (down) throw new Error('ECONNREFUSED')
    return commit(args)
  })
  // Go down right at the rotation's commit, once.
  let once = true
  store = intercept(store, 'commitToken', (commit) => async (args) => {
    if (once) down = true
    once = false
    return commit(args)
  })
  const cpo = world.add('cpo', CPO, { store })
  const emsp = world.add('emsp', EMSP)
  const { onFrom } = await world.link(cpo, emsp)
  const error = await cpo.ocpi.rotate(onFrom).catch((e: unknown) => e)
  // The mark could not be written either: the error says when the rotation gets settled.
  expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'commit' })
  expect((error as Error).message).toMatch(/could not record that either; the health checks settle it once/)
  down = false
  world.now += 30_000
  expect((await cpo.ocpi.checkHealth()).settled).toEqual([])
  world.now += 150_000 // past the rotation's time budget (the total timeout) and its margin
  expect((await cpo.ocpi.checkHealth()).settled).toEqual([onFrom])
})
