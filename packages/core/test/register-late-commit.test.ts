// Our registration POST gives up (a proxy's 504, our timeout) while the peer is still at work: past its
// callback discovery, it commits a moment after our first "does the TOKEN_A still work?" check.
import { expect, it, vi } from 'vitest'
import { createMemoryBacking, memoryStore, type OcpiEvents } from '../src/index.js'
import { intercept, World } from './platforms.js'

const CPO = { role: 'CPO', country_code: 'NL', party_id: 'CPO' } as const
const EMSP = { role: 'EMSP', country_code: 'DE', party_id: 'MSP' } as const
// POSTs may take 4 s here: the second check comes a twentieth of that (200 ms) after the first.
const transport = { getRetries: 0, timeouts: { post: 4_000 } }

it('a peer that commits just after our first TOKEN_A check: the outcome is unknown, not "retry is safe"', async () => {
  const world = new World()
  let reachedCommit!: () => void
  const atCommit = new Promise<void>((resolve) => {
    reachedCommit = resolve
  })
  let openGate!: () => void
  const gate = new Promise<void>((resolve) => {
    openGate = resolve
  })
  const cpoStore = intercept(
    memoryStore({ backing: createMemoryBacking() }),
    'consumeInvitation',
    (consume) => async (args) => {
      reachedCommit()
      await gate
      return consume(args)
    },
  )
  const cpo = world.add('cpo', CPO, { store: cpoStore })
  let handled: Promise<Response> | null = null
  const emsp = world.add('emsp', EMSP, {
    transport,
    fetch: async (input, init) => {
      const request = new Request(input, init)
      if (request.method === 'POST') {
        // The peer has discovered us and is committing; our side hears only a dropped connection.
        handled = world.fetch(request)
        handled.catch(() => {})
        await atCommit
        throw new TypeError('fetch failed')
      }
      const response = await world.fetch(request)
      if (handled !== null) {
        // Our first check after the failed POST got its "still works": the peer commits right after.
        openGate()
        await handled
        handled = null
      }
      return response
    },
  })
  const failed: OcpiEvents['registration-failed'][] = []
  emsp.ocpi.on('registration-failed', (event) => failed.push(event))
  const invitation = await cpo.ocpi.invite()

  const error = await emsp.ocpi
    .register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    .then(
      () => null,
      (e: unknown) => e,
    )
  expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'POST credentials' })
  expect((error as Error).message).toMatch(/fresh TOKEN_A/)
  // The peer did register us (with a token of ours that is dead by now): a retry could never have worked.
  expect((await cpo.ocpi.getPeer(invitation.peerId))?.state).toBe('registered')
  expect(failed).toHaveLength(1)
})

it('a peer that did not commit: after the second check, the original error, and a retry with the same TOKEN_A works', async () => {
  const world = new World()
  const cpo = world.add('cpo', CPO)
  const emsp = world.add('emsp', EMSP, { transport })
  const invitation = await cpo.ocpi.invite()
  world.dropped.add(`POST ${cpo.origin} /ocpi/2.2.1/credentials`)
  const error = await emsp.ocpi
    .register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    .then(
      () => null,
      (e: unknown) => e,
    )
  expect(error).toMatchObject({ code: 'ERR_OCPI_PEER_UNREACHABLE', step: 'POST credentials' })
  // Discovery (versions, details), then the TOKEN_A asked about twice.
  expect(cpo.received.map((r) => `${r.method} ${r.path}`)).toEqual([
    'GET /ocpi/versions',
    'GET /ocpi/2.2.1',
    'GET /ocpi/versions',
    'GET /ocpi/versions',
  ])
  world.dropped.clear()
  await expect(
    emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
  ).resolves.toMatchObject({ state: 'registered' })
})

it('the second check comes a twentieth of the POST timeout after the first, not before', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout'] })
  try {
    const world = new World()
    const cpo = world.add('cpo', CPO)
    const emsp = world.add('emsp', EMSP, { transport })
    const invitation = await cpo.ocpi.invite()
    world.dropped.add(`POST ${cpo.origin} /ocpi/2.2.1/credentials`)
    const versionsCalls = () => cpo.received.filter((r) => r.path === '/ocpi/versions').length
    const outcome = emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }).then(
      () => null,
      (e: unknown) => e,
    )
    // Discovery, then the first check (vi.waitFor would move the faked clock itself).
    while (versionsCalls() < 2) await new Promise((resolve) => setImmediate(resolve))
    await vi.advanceTimersByTimeAsync(199)
    expect(versionsCalls()).toBe(2)
    await vi.advanceTimersByTimeAsync(1)
    await expect(outcome).resolves.toMatchObject({ code: 'ERR_OCPI_PEER_UNREACHABLE' })
    expect(versionsCalls()).toBe(3)
  } finally {
    vi.useRealTimers()
  }
})

it('a peer that answered (a body that is not JSON) had finished: one check, no wait', async () => {
  const world = new World()
  const cpo = world.add('cpo', CPO)
  const emsp = world.add('emsp', EMSP, {
    transport,
    fetch: async (input, init) => {
      const request = new Request(input, init)
      if (request.method === 'POST') return new Response('<html>oops</html>', { status: 200 })
      return world.fetch(request)
    },
  })
  const invitation = await cpo.ocpi.invite()
  await expect(
    emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
  ).rejects.toMatchObject({ code: 'ERR_OCPI_PEER_INVALID_RESPONSE', step: 'POST credentials' })
  expect(cpo.received.map((r) => `${r.method} ${r.path}`)).toEqual([
    'GET /ocpi/versions',
    'GET /ocpi/2.2.1',
    'GET /ocpi/versions',
  ])
})

it('a second check that cannot tell (the peer unreachable by then) leaves the first "still works"', async () => {
  const world = new World()
  const cpo = world.add('cpo', CPO)
  let checks = 0
  const emsp = world.add('emsp', EMSP, {
    transport,
    fetch: async (input, init) => {
      const request = new Request(input, init)
      if (request.method === 'POST') throw new TypeError('fetch failed')
      if (request.method === 'GET' && new URL(request.url).pathname === '/ocpi/versions' && ++checks === 3)
        throw new TypeError('fetch failed')
      return world.fetch(request)
    },
  })
  const invitation = await cpo.ocpi.invite()
  await expect(
    emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
  ).rejects.toMatchObject({ code: 'ERR_OCPI_PEER_UNREACHABLE', step: 'POST credentials' })
  expect(checks).toBe(3)
})
