import { expect, it } from 'vitest'
import type { UseStore } from '../conformance/harness.js'
import type { MockPeerFaultMode, MockPeerFaultTarget } from '../mock-peer/faults.js'
import { faultScenario } from './scenario.js'

/**
 * The SDK registering with a peer that fails at each step: the error names the step, nothing is left
 * alive, and a retry with the same TOKEN_A works; a POST answer lost after the peer committed is an
 * unknown outcome whose remedy is a fresh TOKEN_A once the peer's admin removed its side of the link.
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
    ['invalid-json', 'GET versions', 'ERR_OCPI_PEER_INVALID_RESPONSE', 'GET versions'],
    ['unreachable', 'GET details', 'ERR_OCPI_PEER_UNREACHABLE', 'GET version details'],
    ['slow', 'GET details', 'ERR_OCPI_PEER_TIMEOUT', 'GET version details'],
    ['http-500', 'GET details', 'ERR_OCPI_PEER_HTTP', 'GET version details'],
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
    // A fresh TOKEN_A alone is refused: the peer still holds the link (405)...
    await expect(ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })).rejects.toThrow()
    expect(await liveTokenKinds()).toEqual([])
    // ...until its admin removes it; then the fresh TOKEN_A completes.
    peer.forgetLink()
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
    expect(registered.state).toBe('registered')
    expect((await ocpi.client(registered.id).request('tokens', 'SENDER')).status).toBe(200)
    expect(peer.violations).toEqual([])
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
    ['unreachable', 'GET details', 3001],
    ['slow', 'GET details', 3001],
    ['http-500', 'GET details', 3001],
    ['invalid-json', 'GET details', 3001],
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

/**
 * A peer registering with the SDK whose answer is lost after we committed: TOKEN_A died with the
 * registration, so a retry that starts again from discovery is refused (401 at GET versions), nothing is
 * left alive on our side but the link, and the documented remedy, a fresh TOKEN_A (revoke re-invites),
 * completes. (A retry of the POST alone within the replay window is accepted; the core tests cover it.)
 *
 * @example
 * ```ts
 * describe('a peer losing our answer to its POST', () => receiveLostAnswerCases(use))
 * ```
 */
export function receiveLostAnswerCases(use: UseStore): void {
  it('our answer to its POST lost after we committed: TOKEN_A is dead, a fresh one completes', async () => {
    const { ocpi, peer, liveTokenKinds } = faultScenario(use)
    const invitation = await ocpi.invite()
    peer.fail('lost-response', { on: 'send POST credentials', times: 1 })
    expect(
      await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
    ).toMatchObject({
      ok: false,
    })
    expect((await ocpi.getPeer(invitation.peerId))?.state).toBe('registered')
    expect(await liveTokenKinds()).toEqual(['consumed-invitation', 'current'])
    const retried = await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    expect(retried).toMatchObject({ ok: false, status: 401 })
    const { invitation: fresh } = await ocpi.revoke(invitation.peerId)
    if (fresh === null) throw new Error('a link we invited is re-invited on revocation')
    expect(await peer.register({ versionsUrl: fresh.versionsUrl, token: fresh.token })).toMatchObject({
      ok: true,
      statusCode: 1000,
    })
    expect((await ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
  })
}
