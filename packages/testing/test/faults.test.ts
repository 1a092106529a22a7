// Every fault mode of the mock peer at every step of register, rotate (both directions) and
// unregister. After each: no corrupted record, the tokens that worked before still work, no token is
// left alive that should not be, the error names the step, and the documented remedy completes.
import { describe, expect, it } from 'vitest'
import type { MockPeerFaultMode, MockPeerFaultTarget } from '../src/index.js'
import { sdkWithMockPeer } from './setup.js'

const fast = {
  sdk: { transport: { timeouts: { get: 200, post: 400, put: 400, delete: 200 }, getRetries: 0 } },
}

describe('the SDK registering with a failing peer', () => {
  it.each([
    ['unreachable', 'GET versions', 'ERR_OCPI_PEER_UNREACHABLE', 'GET versions'],
    ['http-500', 'GET versions', 'ERR_OCPI_PEER_HTTP', 'GET versions'],
    ['slow', 'GET versions', 'ERR_OCPI_PEER_TIMEOUT', 'GET versions'],
    ['invalid-json', 'GET details', 'ERR_OCPI_PEER_INVALID_RESPONSE', 'GET version details'],
    ['missing-endpoints', 'GET details', 'ERR_OCPI_MISSING_ENDPOINTS', 'check endpoints'],
    ['http-500', 'POST credentials', 'ERR_OCPI_PEER_HTTP', 'POST credentials'],
    ['unreachable', 'POST credentials', 'ERR_OCPI_PEER_UNREACHABLE', 'POST credentials'],
    ['slow', 'POST credentials', 'ERR_OCPI_PEER_TIMEOUT', 'POST credentials'],
    ['invalid-json', 'POST credentials', 'ERR_OCPI_PEER_INVALID_RESPONSE', 'POST credentials'],
  ] as const)(
    '%s on %s: %s naming the step, nothing left alive; a retry with the same TOKEN_A works',
    async (mode, on, code, step) => {
      const { ocpi, peer, liveTokenKinds } = sdkWithMockPeer(fast)
      const tokenA = peer.invite()
      peer.fail(mode as MockPeerFaultMode, { on: on as MockPeerFaultTarget })
      const error = await ocpi
        .register({ versionsUrl: peer.versionsUrl, token: tokenA })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code, step })
      expect(liveTokenKinds()).toEqual([])
      expect((await ocpi.listPeers()).every((p) => p.state === 'unregistered')).toBe(true)
      expect(peer.state.registered).toBe(false)
      peer.heal()
      const retried = await ocpi.register({ versionsUrl: peer.versionsUrl, token: tokenA })
      expect(retried.state).toBe('registered')
      expect((await ocpi.client(retried.id).request('tokens', 'SENDER')).status).toBe(200)
    },
  )

  it('a POST answer lost after the peer committed: an unknown outcome, whose remedy is a fresh TOKEN_A', async () => {
    const { ocpi, peer, liveTokenKinds } = sdkWithMockPeer(fast)
    peer.fail('lost-response', { on: 'POST credentials', times: 1 })
    const error = await ocpi
      .register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'POST credentials' })
    expect((error as Error).message).toContain('fresh TOKEN_A')
    expect(liveTokenKinds()).toEqual([])
    expect(peer.state.registered).toBe(true) // the peer did commit: its side must be reset by its admin
  })
})

describe('the SDK receiving a registration from a failing peer', () => {
  it.each([
    ['unreachable', 'GET versions', 3001],
    ['http-500', 'GET versions', 3001],
    ['invalid-json', 'GET versions', 3001],
    ['slow', 'GET versions', 3001],
    ['http-500', 'GET details', 3001],
    ['missing-endpoints', 'GET details', 3003],
  ] as const)(
    '%s on the peer %s during our callback: OCPI %i, nothing changes, TOKEN_A still works',
    async (mode, on, statusCode) => {
      const { ocpi, peer, liveTokenKinds } = sdkWithMockPeer(fast)
      const invitation = await ocpi.invite()
      peer.fail(mode as MockPeerFaultMode, { on: on as MockPeerFaultTarget })
      const result = await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
      expect(result).toMatchObject({ ok: false, statusCode })
      expect((await ocpi.getPeer(invitation.peerId))?.state).toBe('invited')
      expect(liveTokenKinds()).toEqual(['invitation'])
      peer.heal()
      expect(
        await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
      ).toMatchObject({
        ok: true,
        statusCode: 1000,
      })
    },
  )
})

describe('the SDK rotating with a failing peer', () => {
  async function linked() {
    const setup = sdkWithMockPeer(fast)
    const registered = await setup.ocpi.register({
      versionsUrl: setup.peer.versionsUrl,
      token: setup.peer.invite(),
    })
    return { ...setup, peerId: registered.id }
  }
  /** Both directions still work with the tokens of before. */
  async function linkWorks(setup: Awaited<ReturnType<typeof linked>>) {
    expect((await setup.ocpi.client(setup.peerId).request('tokens', 'SENDER')).status).toBe(200)
    const tokenForSdk = setup.peer.state.tokenFromSdk ?? ''
    const auth = await setup.ocpi.authenticate(
      new Request('https://sdk.example.com/ocpi/2.2.1/locations', {
        headers: { authorization: `Token ${btoa(tokenForSdk)}` },
      }),
      { module: 'locations' },
    )
    expect(auth.ok).toBe(true)
  }

  it.each([
    ['unreachable', 'GET versions', 'ERR_OCPI_PEER_UNREACHABLE', 'GET versions'],
    ['http-500', 'GET details', 'ERR_OCPI_PEER_HTTP', 'GET version details'],
    ['missing-endpoints', 'GET details', 'ERR_OCPI_MISSING_ENDPOINTS', 'check endpoints'],
    ['http-500', 'PUT credentials', 'ERR_OCPI_PEER_REFUSED', 'PUT credentials'],
    ['unreachable', 'PUT credentials', 'ERR_OCPI_PEER_REFUSED', 'PUT credentials'],
  ] as const)(
    '%s on %s: %s, the link keeps working with its tokens, a retry works',
    async (mode, on, code, step) => {
      const setup = await linked()
      const before = setup.liveTokenKinds()
      setup.peer.fail(mode as MockPeerFaultMode, { on: on as MockPeerFaultTarget })
      const error = await setup.ocpi.rotate(setup.peerId).catch((e: unknown) => e)
      expect(error).toMatchObject({ code, step })
      setup.peer.heal()
      expect(setup.liveTokenKinds()).toEqual(before)
      await linkWorks(setup)
      await setup.ocpi.rotate(setup.peerId)
      await linkWorks(setup)
    },
  )

  it('a PUT answer lost after the peer committed (a peer without grace): unknown outcome, our side keeps both tokens', async () => {
    const setup = await linked()
    setup.peer.fail('lost-response', { on: 'PUT credentials', times: 1 })
    const error = await setup.ocpi.rotate(setup.peerId).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'PUT credentials' })
    // The peer took our new token and uses it: it works on every module.
    const auth = await setup.ocpi.authenticate(
      new Request('https://sdk.example.com/ocpi/2.2.1/locations', {
        headers: { authorization: `Token ${btoa(setup.peer.state.tokenFromSdk ?? '')}` },
      }),
      { module: 'locations' },
    )
    expect(auth.ok).toBe(true)
    // Our old token and the new one (pending until it expires) both work; nothing was committed.
    expect(setup.liveTokenKinds()).toEqual(['current', 'pending-rotation'])
  })
})

describe('a failing peer rotating with the SDK', () => {
  it.each([
    ['unreachable', 'GET versions', 3001],
    ['http-500', 'GET details', 3001],
    ['missing-endpoints', 'GET details', 3003],
  ] as const)(
    '%s on the peer %s during our callback: OCPI %i, nothing changes',
    async (mode, on, statusCode) => {
      const { ocpi, peer, backing } = sdkWithMockPeer(fast)
      const invitation = await ocpi.invite()
      await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
      const before = JSON.stringify([...backing.tokens.entries()])
      peer.fail(mode as MockPeerFaultMode, { on: on as MockPeerFaultTarget })
      expect(await peer.rotate()).toMatchObject({ ok: false, statusCode })
      expect(JSON.stringify([...backing.tokens.entries()])).toBe(before)
      peer.heal()
      expect((await ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
      expect(await peer.rotate()).toMatchObject({ ok: true, statusCode: 1000 })
    },
  )
})

describe('unregistering with a failing peer', () => {
  it.each(['unreachable', 'http-500', 'slow'] as const)(
    '%s on DELETE: our side ends anyway, and says the peer did not confirm',
    async (mode) => {
      const { ocpi, peer, liveTokenKinds } = sdkWithMockPeer(fast)
      const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
      peer.fail(mode, { on: 'DELETE credentials' })
      const { remote, peer: after } = await ocpi.unregister(registered.id)
      expect(remote).toBe('failed')
      expect(after.state).toBe('unregistered')
      expect(liveTokenKinds()).toEqual([])
    },
  )
})
