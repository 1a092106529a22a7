import { describe, expect, test } from 'vitest'
import { resolveConfig } from './config.js'
import { createMockPeer } from './create-mock-peer.js'

const BASE = 'https://hub.example.com/ocpi'

describe('the mock configuration', () => {
  test('a HUB party is refused on 2.3.0, which has no HUB role (§2.8)', () => {
    const hub = [{ role: 'HUB', country_code: 'NL', party_id: 'HUB' }] as const
    expect(() => createMockPeer({ baseUrl: BASE, versions: ['2.3.0'], parties: hub })).toThrow(
      new TypeError(
        '2.3.0 has no HUB role: drop 2.3.0 from versions, or list the parties the hub reaches and set hubPartyId',
      ),
    )
    expect(() => resolveConfig({ baseUrl: BASE, versions: ['2.2.1', '2.3.0'], parties: hub })).toThrow(
      TypeError,
    )
    expect(resolveConfig({ baseUrl: BASE, versions: ['2.2.1'], parties: hub }).parties).toHaveLength(1)
    expect(
      resolveConfig({
        baseUrl: BASE,
        versions: ['2.3.0'],
        parties: [{ role: 'CPO', country_code: 'NL', party_id: 'EXA' }],
        hubPartyId: 'NLHUB',
      }).hubPartyId,
    ).toBe('NLHUB')
  })
})
