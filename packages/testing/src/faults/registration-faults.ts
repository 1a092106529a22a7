import { expect, it } from 'vitest'
import type { UseStore } from '../conformance/harness.js'
import type { MockPeerFaultMode, MockPeerFaultTarget } from '../mock-peer/faults.js'
import { faultScenario } from './scenario.js'

/**
 * The SDK registering with a peer that fails at each step: the error names the step, nothing is left
 * alive, and a retry with the same TOKEN_A works; a POST answer lost after the peer committed is an
 * unknown outcome whose remedy is a fresh TOKEN_A.
 *
 * @example
 * ```ts
 * describe('the SDK registering with a failing peer', () => registerFaultCases(useHarness(harness)))
 * ```
 */
export function registerFaultCases(use: UseStore): void {
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
      const { ocpi, peer, liveTokenKinds } = faultScenario(use)
      const tokenA = peer.invite()
      peer.fail(mode as MockPeerFaultMode, { on: on as MockPeerFaultTarget })
      const error = await ocpi
        .register({ versionsUrl: peer.versionsUrl, token: tokenA })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code, step })
      expect(await liveTokenKinds()).toEqual([])
      expect((await ocpi.listPeers()).every((p) => p.state === 'unregistered')).toBe(true)
      expect(peer.state.registered).toBe(false)
      peer.heal()
      const retried = await ocpi.register({ versionsUrl: peer.versionsUrl, token: tokenA })
      expect(retried.state).toBe('registered')
      expect((await ocpi.client(retried.id).request('tokens', 'SENDER')).status).toBe(200)
    },
  )

  it('a POST answer lost after the peer committed: an unknown outcome, whose remedy is a fresh TOKEN_A', async () => {
    const { ocpi, peer, liveTokenKinds } = faultScenario(use)
    peer.fail('lost-response', { on: 'POST credentials', times: 1 })
    const error = await ocpi
      .register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'POST credentials' })
    expect((error as Error).message).toContain('fresh TOKEN_A')
    expect(await liveTokenKinds()).toEqual([])
    expect(peer.state.registered).toBe(true) // the peer did commit: its side must be reset by its admin
  })
}

/**
 * The SDK receiving a registration from a peer whose API fails during our callback discovery: OCPI
 * 3001 or 3003, nothing changes, and the TOKEN_A still works once the peer is healed.
 *
 * @example
 * ```ts
 * describe('the SDK receiving a registration from a failing peer', () => receiveFaultCases(use))
 * ```
 */
export function receiveFaultCases(use: UseStore): void {
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
      const { ocpi, peer, liveTokenKinds } = faultScenario(use)
      const invitation = await ocpi.invite()
      peer.fail(mode as MockPeerFaultMode, { on: on as MockPeerFaultTarget })
      const result = await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
      expect(result).toMatchObject({ ok: false, statusCode })
      expect((await ocpi.getPeer(invitation.peerId))?.state).toBe('invited')
      expect(await liveTokenKinds()).toEqual(['invitation'])
      peer.heal()
      expect(
        await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
      ).toMatchObject({
        ok: true,
        statusCode: 1000,
      })
    },
  )
}
