import { expect, it } from 'vitest'
import type { UseStore } from '../conformance/harness.js'
import type { MockPeerFaultMode, MockPeerFaultTarget } from '../mock-peer/faults.js'
import { type FaultScenario, faultScenario } from './scenario.js'

/** A scenario whose SDK registered with the mock peer. */
async function linked(use: UseStore): Promise<FaultScenario & { peerId: string }> {
  const scenario = faultScenario(use)
  const registered = await scenario.ocpi.register({
    versionsUrl: scenario.peer.versionsUrl,
    token: scenario.peer.invite(),
  })
  return { ...scenario, peerId: registered.id }
}

/** Both directions still work with the tokens of before. */
async function expectLinkWorks({ ocpi, peer, peerId }: FaultScenario & { peerId: string }): Promise<void> {
  expect((await ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(200)
  const auth = await ocpi.authenticate(
    new Request('https://sdk.example.com/ocpi/2.2.1/locations', {
      headers: { authorization: `Token ${btoa(peer.state.tokenFromSdk ?? '')}` },
    }),
    { module: 'locations' },
  )
  expect(auth.ok).toBe(true)
}

/**
 * The SDK rotating with a peer that fails at each step: the error names the step, the link keeps
 * working with its tokens, and a retry works; a failed PUT is an unknown outcome (the peer may still take
 * it), and both of our tokens keep working.
 *
 * @example
 * ```ts
 * describe('the SDK rotating with a failing peer', () => rotateFaultCases(useHarness(harness)))
 * ```
 */
export function rotateFaultCases(use: UseStore): void {
  it.each([
    ['unreachable', 'GET versions', 'ERR_OCPI_PEER_UNREACHABLE', 'GET versions'],
    ['slow', 'GET versions', 'ERR_OCPI_PEER_TIMEOUT', 'GET versions'],
    ['http-500', 'GET versions', 'ERR_OCPI_PEER_HTTP', 'GET versions'],
    ['invalid-json', 'GET versions', 'ERR_OCPI_PEER_INVALID_RESPONSE', 'GET versions'],
    ['unreachable', 'GET details', 'ERR_OCPI_PEER_UNREACHABLE', 'GET version details'],
    ['slow', 'GET details', 'ERR_OCPI_PEER_TIMEOUT', 'GET version details'],
    ['http-500', 'GET details', 'ERR_OCPI_PEER_HTTP', 'GET version details'],
    ['invalid-json', 'GET details', 'ERR_OCPI_PEER_INVALID_RESPONSE', 'GET version details'],
    ['missing-endpoints', 'GET details', 'ERR_OCPI_MISSING_ENDPOINTS', 'check endpoints'],
  ] as const)(
    '%s on %s: %s, the link keeps working with its tokens, a retry works',
    async (mode, on, code, step) => {
      const setup = await linked(use)
      const before = await setup.liveTokenKinds()
      setup.peer.fail(mode as MockPeerFaultMode, { on: on as MockPeerFaultTarget })
      const error = await setup.ocpi.rotate(setup.peerId).catch((e: unknown) => e)
      expect(error).toMatchObject({ code, step })
      setup.peer.heal()
      expect(await setup.liveTokenKinds()).toEqual(before)
      await expectLinkWorks(setup)
      await setup.ocpi.rotate(setup.peerId)
      await expectLinkWorks(setup)
    },
  )

  // The peer answered the settling GET with our old token, but may still be processing the PUT (and
  // commit it a moment later): not a refusal. Our new token stays valid until its pending expiry, and
  // no second rotation starts beside the one in doubt (it could drop the token the peer may hold).
  it.each(['http-500', 'unreachable', 'slow', 'invalid-json'] as const)(
    '%s on PUT credentials: unknown outcome, both our tokens work, and a retry waits for the pending expiry',
    async (mode) => {
      const setup = await linked(use)
      expect(await setup.liveTokenKinds()).toEqual(['current'])
      setup.peer.fail(mode as MockPeerFaultMode, { on: 'PUT credentials' })
      const error = await setup.ocpi.rotate(setup.peerId).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'PUT credentials' })
      setup.peer.heal()
      expect(await setup.liveTokenKinds()).toEqual(['current', 'pending-rotation'])
      await expectLinkWorks(setup)
      // The peer never took it (it still hands us our old token): the retry is refused, nothing changes.
      await expect(setup.ocpi.rotate(setup.peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_CONFLICT' })
      expect(await setup.liveTokenKinds()).toEqual(['current', 'pending-rotation'])
      await expectLinkWorks(setup)
      setup.advance(10 * 60_000) // the pending token's lifetime (pendingTtlMs)
      await setup.ocpi.rotate(setup.peerId)
      await expectLinkWorks(setup)
    },
  )

  // The peer keeps our old token for a grace window, as the core does: asked with it (GET credentials),
  // it answers the token it issued in the answer we lost, and the rotation commits on our side too.
  it('a PUT answer lost after the peer committed: the peer answers GET credentials with our old token (its grace), and the rotation commits', async () => {
    const setup = await linked(use)
    setup.peer.fail('lost-response', { on: 'PUT credentials', times: 1 })
    await setup.ocpi.rotate(setup.peerId)
    // Committed: our new token is current, the old one kept in our grace window (the peer may use it).
    expect(await setup.liveTokenKinds()).toEqual(['current', 'previous'])
    // The peer took our new token and uses it (which retires the old one); ours is the one it issued.
    await expectLinkWorks(setup)
    expect(await setup.liveTokenKinds()).toEqual(['current'])
    expect(setup.peer.violations).toEqual([])
  })
}

/**
 * A peer rotating with the SDK whose API fails during our callback discovery: OCPI 3001 or 3003, not
 * one stored token changes, and the peer's retry works once it is healed.
 *
 * @example
 * ```ts
 * describe('a failing peer rotating with the SDK', () => peerRotateFaultCases(useHarness(harness)))
 * ```
 */
export function peerRotateFaultCases(use: UseStore): void {
  it.each([
    ['unreachable', 'GET versions', 3001],
    ['slow', 'GET versions', 3001],
    ['http-500', 'GET versions', 3001],
    ['invalid-json', 'GET versions', 3001],
    ['unreachable', 'GET details', 3001],
    ['slow', 'GET details', 3001],
    ['http-500', 'GET details', 3001],
    ['invalid-json', 'GET details', 3001],
    ['missing-endpoints', 'GET details', 3003],
  ] as const)(
    '%s on the peer %s during our callback: OCPI %i, nothing changes',
    async (mode, on, statusCode) => {
      const { ocpi, peer, tokenSnapshot } = faultScenario(use)
      const invitation = await ocpi.invite()
      await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
      const before = await tokenSnapshot()
      peer.fail(mode as MockPeerFaultMode, { on: on as MockPeerFaultTarget })
      expect(await peer.rotate()).toMatchObject({ ok: false, statusCode })
      expect(await tokenSnapshot()).toBe(before)
      peer.heal()
      expect((await ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
      expect(await peer.rotate()).toMatchObject({ ok: true, statusCode: 1000 })
    },
  )
}

/**
 * A peer rotating with the SDK whose answer is lost after we committed: the peer still holds its old
 * token and retries with it (the grace window accepts it), and the link then works both ways.
 *
 * @example
 * ```ts
 * describe('a peer losing our answer to its PUT', () => peerLostAnswerCases(useHarness(harness)))
 * ```
 */
export function peerLostAnswerCases(use: UseStore): void {
  it('our answer to its PUT lost after we committed: its retry with the old token settles it', async () => {
    const { ocpi, peer, liveTokenKinds } = faultScenario(use)
    const invitation = await ocpi.invite()
    await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    peer.fail('lost-response', { on: 'send PUT credentials', times: 1 })
    expect(await peer.rotate()).toMatchObject({ ok: false })
    // Committed on our side: the old token is kept as `previous` for the peer's retry.
    expect(await liveTokenKinds()).toContain('previous')
    expect(await peer.rotate()).toMatchObject({ ok: true, statusCode: 1000 })
    expect((await ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
    const auth = await ocpi.authenticate(
      new Request('https://sdk.example.com/ocpi/2.2.1/locations', {
        headers: { authorization: `Token ${btoa(peer.state.tokenFromSdk ?? '')}` },
      }),
      { module: 'locations' },
    )
    expect(auth.ok).toBe(true)
  })
}
