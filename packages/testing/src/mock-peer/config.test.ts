import { describe, expect, test } from 'vitest'
import { resolveConfig } from './config.js'
import { createMockPeer } from './create-mock-peer.js'
import { ocpiInit } from './fake-platform.js'

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

  test.each([
    ['https://HUB.Example.com/ocpi', 'https://hub.example.com/ocpi'],
    ['https://hub.example.com:443/ocpi', 'https://hub.example.com/ocpi'],
    ['http://hub.example.com:80/ocpi', 'http://hub.example.com/ocpi'],
    ['https://hub.example.com/ocpi/', 'https://hub.example.com/ocpi'],
    ['https://hub.example.com:8443/ocpi//', 'https://hub.example.com:8443/ocpi'],
    ['https://hub.example.com', 'https://hub.example.com'],
  ])('a baseUrl %s is served as %s, the URL a fetch of it goes to', async (given, canonical) => {
    const peer = createMockPeer({ baseUrl: given })
    expect(peer.versionsUrl).toBe(`${canonical}/versions`)
    const versions = await peer.fetch(peer.versionsUrl, ocpiInit('GET', peer.invite()))
    expect(versions.status).toBe(200)
    const body = (await versions.json()) as { data: { url: string }[] }
    expect(body.data[0]?.url).toBe(`${canonical}/2.2.1`)
    // The URL as given (a client normalises it the same way) reaches the mock too.
    expect(
      (await peer.fetch(`${given.replace(/\/+$/, '')}/versions`, ocpiInit('GET', peer.invite()))).status,
    ).toBe(200)
  })

  test('a baseUrl with a query or a fragment, or that is no http(s) URL, is refused', () => {
    for (const baseUrl of [
      'https://hub.example.com/ocpi?x=1',
      'https://hub.example.com/ocpi#v',
      'ftp://hub.example.com/ocpi',
      'ocpi',
    ])
      expect(() => createMockPeer({ baseUrl })).toThrow(TypeError)
  })
})
