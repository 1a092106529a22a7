import { expect, it } from 'vitest'
import type { UseStore } from '../conformance/harness.js'
import { faultScenario } from './scenario.js'

/**
 * Unregistering with a peer whose DELETE fails: our side ends anyway, no token is left alive, and the
 * outcome says the peer did not confirm.
 *
 * @example
 * ```ts
 * describe('unregistering with a failing peer', () => unregisterFaultCases(useHarness(harness)))
 * ```
 */
export function unregisterFaultCases(use: UseStore): void {
  it.each(['unreachable', 'http-500', 'slow', 'invalid-json', 'lost-response'] as const)(
    '%s on DELETE: our side ends anyway, and says the peer did not confirm',
    async (mode) => {
      const { ocpi, peer, liveTokenKinds } = faultScenario(use)
      const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
      peer.fail(mode, { on: 'DELETE credentials' })
      const { remote, peer: after } = await ocpi.unregister(registered.id)
      expect(remote).toBe('failed')
      expect(after.state).toBe('unregistered')
      expect(await liveTokenKinds()).toEqual([])
    },
  )
}
