// The last step of a registration: the peer answered and holds a link, but our commit fails (or, on the
// receiving side, the TOKEN_A ran out meanwhile): the attempt ends as any failed attempt does, and says so.
import { expect, it } from 'vitest'
import { type CredentialsStore, createMemoryBacking, memoryStore, type OcpiEvents } from '../src/index.js'
import { intercept, World } from './platforms.js'

const CPO = { role: 'CPO', country_code: 'NL', party_id: 'CPO' } as const
const EMSP = { role: 'EMSP', country_code: 'DE', party_id: 'MSP' } as const

it('a registration whose commit fails ends like any failed attempt: event, record, no live token', async () => {
  const world = new World()
  let onPost: (() => Promise<void>) | null = null
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const response = await world.fetch(request)
    if (request.method === 'POST') await onPost?.()
    return response
  }
  const cpo = world.add('cpo', CPO, { fetch })
  const emsp = world.add('emsp', EMSP)
  // An admin (or another instance) revokes the attempt while our POST's answer is on its way.
  onPost = async () => {
    const [registering] = await cpo.ocpi.listPeers({ state: 'registering' })
    if (registering !== undefined) await cpo.ocpi.revoke(registering.id)
  }
  const failed: OcpiEvents['registration-failed'][] = []
  cpo.ocpi.on('registration-failed', (event) => failed.push(event))
  const invitation = await emsp.ocpi.invite()

  const error = await cpo.ocpi
    .register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    .then(
      () => null,
      (e: unknown) => e,
    )
  expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'commit' })
  expect(failed).toEqual([
    expect.objectContaining({ direction: 'outbound', code: 'ERR_OCPI_OUTCOME_UNKNOWN' }),
  ])
  const peerId = failed[0]?.peerId as string
  expect(cpo.backing.peers.get(peerId)?.state).not.toBe('registering')
  expect(
    [...cpo.backing.tokens.values()].filter((t) => t.peerId === peerId && t.kind !== 'invitation'),
  ).toEqual([])
})

it('a store failing at the commit ends the attempt too, and says so', async () => {
  const world = new World()
  const backing = createMemoryBacking()
  const inner = memoryStore({ backing })
  let failCommit = false
  const store = intercept(inner, 'commitToken', (commit) => async (args) => {
    if (failCommit) throw new Error('connection lost')
    return commit(args)
  })
  const cpo = world.add('cpo', CPO, { store })
  const emsp = world.add('emsp', EMSP)
  const failed: OcpiEvents['registration-failed'][] = []
  cpo.ocpi.on('registration-failed', (event) => failed.push(event))
  const invitation = await emsp.ocpi.invite()
  failCommit = true
  await expect(
    cpo.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
  ).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'commit' })
  expect(failed).toHaveLength(1)
  const peerId = failed[0]?.peerId as string
  expect(backing.peers.get(peerId)?.state).toBe('unregistered')
  expect([...backing.tokens.values()].filter((t) => t.peerId === peerId)).toEqual([])
})

it('a store that throws after its commit landed (a connection lost after COMMIT): the live link is kept, not reported dead', async () => {
  const world = new World()
  let lostAfterCommit = false
  const store = intercept(
    memoryStore({ backing: createMemoryBacking() }),
    'commitToken',
    (commit) => async (args) => {
      const stored = await commit(args)
      if (lostAfterCommit) throw new Error('connection lost')
      return stored
    },
  )
  const warnings: { message: string; fields: unknown }[] = []
  const cpo = world.add('cpo', CPO, {
    store,
    logger: { warn: (message, fields) => warnings.push({ message, fields }) },
  })
  const emsp = world.add('emsp', EMSP)
  const failed: OcpiEvents['registration-failed'][] = []
  cpo.ocpi.on('registration-failed', (event) => failed.push(event))
  const invitation = await emsp.ocpi.invite()
  lostAfterCommit = true

  const peer = await cpo.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
  expect(peer.state).toBe('registered')
  expect(failed).toEqual([])
  expect(warnings).toEqual([
    {
      message: 'the store reported a failure for a registration it committed; the link is live',
      fields: { peerId: peer.id, error: 'Error' },
    },
  ])
  // The link works both ways: our outbound token reaches the peer, and its token for us is live.
  lostAfterCommit = false
  await expect(cpo.ocpi.client(peer.id).request('tokens', 'SENDER')).resolves.toMatchObject({
    statusCode: 1000,
  })
  await expect(emsp.ocpi.client(invitation.peerId).request('locations', 'SENDER')).resolves.toMatchObject({
    statusCode: 1000,
  })
})

it('a commit still landing when the store threw (the COMMIT under way, holding the row): kept once the attempt is ended', async () => {
  const world = new World()
  const backing = createMemoryBacking()
  let landing: (() => unknown) | null = null
  let armed = false
  let store = intercept(memoryStore({ backing }), 'commitToken', (commit) => async (args) => {
    if (!armed) return commit(args)
    landing = () => commit(args) // the COMMIT is on its way; the client hears "connection lost"
    throw new Error('connection lost')
  })
  // Ending the attempt waits for the row the committing transaction holds, and loses to it.
  store = intercept(store, 'revokeTokens', (revoke) => async (args) => {
    const commit = landing
    landing = null
    if (commit !== null) await commit()
    return revoke(args)
  })
  const cpo = world.add('cpo', CPO, { store })
  const emsp = world.add('emsp', EMSP)
  const failed: OcpiEvents['registration-failed'][] = []
  const registered: OcpiEvents['registered'][] = []
  cpo.ocpi.on('registration-failed', (event) => failed.push(event))
  cpo.ocpi.on('registered', (event) => registered.push(event))
  const invitation = await emsp.ocpi.invite()
  armed = true

  const peer = await cpo.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
  expect(peer.state).toBe('registered')
  expect(failed).toEqual([])
  expect(registered).toEqual([expect.objectContaining({ peerId: peer.id, direction: 'outbound' })])
  expect([...backing.tokens.values()].filter((t) => t.peerId === peer.id).map((t) => t.kind)).toEqual([
    'current',
  ])
})

it('a TOKEN_A that expires during our callback discovery is refused as expired (401), not as consumed', async () => {
  const world = new World()
  let ageDuringDiscovery = false
  const cpo = world.add('cpo', CPO, {
    fetch: async (input, init) => {
      const request = new Request(input, init)
      if (ageDuringDiscovery) world.now += 2 * 60_000 // each of our callback GETs takes its time
      return world.fetch(request)
    },
  })
  const emsp = world.add('emsp', EMSP)
  const failed: OcpiEvents['registration-failed'][] = []
  cpo.ocpi.on('registration-failed', (event) => failed.push(event))
  const invitation = await cpo.ocpi.invite({ expiresIn: 60_000 })
  ageDuringDiscovery = true
  await expect(
    emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
  ).rejects.toThrow()
  expect(failed).toEqual([
    expect.objectContaining({
      direction: 'inbound',
      code: 'ERR_OCPI_UNAUTHORIZED',
      message: 'the invitation expired during the registration',
    }),
  ])
  expect((await cpo.ocpi.getPeer(invitation.peerId))?.state).toBe('invited')
})

it('a store down from the commit on: still ERR_OCPI_OUTCOME_UNKNOWN and the event, not the raw store error', async () => {
  const world = new World()
  let down = false
  const failing = <K extends 'commitToken' | 'getPeer' | 'revokeTokens'>(store: CredentialsStore, name: K) =>
    intercept(store, name, (original) => {
      const call = original as (...args: unknown[]) => unknown
      return (async (...args: unknown[]) => {
        if (down) throw new Error('connection lost')
        return call(...args)
      }) as CredentialsStore[K]
    })
  const inner = memoryStore({ backing: createMemoryBacking() })
  const store = failing(failing(failing(inner, 'commitToken'), 'getPeer'), 'revokeTokens')
  const cpo = world.add('cpo', CPO, {
    store,
    fetch: async (input, init) => {
      const request = new Request(input, init)
      const response = await world.fetch(request)
      if (request.method === 'POST') down = true // the peer answered; our store is gone from here on
      return response
    },
  })
  const emsp = world.add('emsp', EMSP)
  const failed: OcpiEvents['registration-failed'][] = []
  cpo.ocpi.on('registration-failed', (event) => failed.push(event))
  const invitation = await emsp.ocpi.invite()
  await expect(
    cpo.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
  ).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'commit' })
  expect(failed).toEqual([
    expect.objectContaining({ direction: 'outbound', code: 'ERR_OCPI_OUTCOME_UNKNOWN' }),
  ])
})
