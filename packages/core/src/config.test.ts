import { describe, expect, it } from 'vitest'
import { createOcpi, memoryStore, OcpiConfigError, type OcpiOptions } from './index.js'

const valid: OcpiOptions = {
  baseUrl: 'https://cpo.example.com/ocpi/',
  parties: [{ role: 'CPO', country_code: 'nl', party_id: 'exa', business_details: { name: 'Example' } }],
  store: memoryStore(),
  sealingKeys: [{ kid: 'k', key: new Uint8Array(32) }],
}

describe('configuration is validated at start', () => {
  it('accepts a minimal configuration and normalizes it', () => {
    const ocpi = createOcpi(valid)
    expect(ocpi.versionsUrl).toBe('https://cpo.example.com/ocpi/versions')
  })

  it.each([
    ['a base URL that is not a URL', { baseUrl: 'cpo.example.com' }],
    ['no parties', { parties: [] }],
    [
      'a party id of 4 characters',
      { parties: [{ role: 'CPO', country_code: 'NL', party_id: 'EXAM', business_details: { name: 'E' } }] },
    ],
    [
      'an unknown role',
      { parties: [{ role: 'KING', country_code: 'NL', party_id: 'EXA', business_details: { name: 'E' } }] },
    ],
    ['duplicate parties', { parties: [valid.parties[0], valid.parties[0]] }],
    ['an unknown version', { versions: ['2.0'] }],
    ['a module that is not an OCPI module of the version', { modules: [{ id: 'bookings', role: 'SENDER' }] }],
    ['the credentials module declared by the host', { modules: [{ id: 'credentials', role: 'SENDER' }] }],
    ['hubclientinfo on 2.1.1', { versions: ['2.1.1'], modules: [{ id: 'hubclientinfo', role: 'RECEIVER' }] }],
    [
      'only a HUB party on 2.3.0',
      { parties: [{ role: 'HUB', country_code: 'NL', party_id: 'HUB', business_details: { name: 'H' } }] },
    ],
    ['a negative grace window', { graceMs: -1 }],
    ['a misspelt option', { graceMS: 60_000 }],
    ['a clock that is no function', { now: 1_795_000_000_000 }],
    ['a fetch that is no function', { fetch: 'https://proxy.example.com' }],
    ['no sealing key', { sealingKeys: [] }],
    ['a short sealing key', { sealingKeys: [{ kid: 'k', key: new Uint8Array(31) }] }],
    ['a store lacking operations', { store: { getPeer: () => null } }],
    [
      'a module path with a placeholder other than {version}',
      { modules: [{ id: 'locations', role: 'SENDER', path: 'x/{id}' }] },
    ],
    // What goes out in our credentials must be valid OCPI: refused at start, not sent to every peer.
    ...(
      [
        [
          'a logo category outside ImageCategory',
          { name: 'X', logo: { url: 'https://x.example/l.png', category: 'BANNER', type: 'png' } },
        ],
        [
          'a logo type of 5 characters',
          { name: 'X', logo: { url: 'https://x.example/l.png', category: 'OPERATOR', type: 'image' } },
        ],
        ['a website that is no URL', { name: 'X', website: 'not a url' }],
        ['a website longer than 255', { name: 'X', website: `https://x.example/${'a'.repeat(300)}` }],
        ['a name with a line break', { name: 'Line\nbreak' }],
        ['an empty name', { name: '' }],
        ['a name longer than 100', { name: 'N'.repeat(101) }],
      ] as const
    ).map(([what, business_details]): [string, object] => [
      what,
      { parties: [{ role: 'CPO', country_code: 'NL', party_id: 'EXA', business_details }] },
    ]),
    [
      'a baseUrl making our versions URL longer than 255',
      { baseUrl: `https://cpo.example.com/${'p'.repeat(240)}` },
    ],
    [
      'a module path making its URL longer than 255',
      { modules: [{ id: 'locations', role: 'SENDER', path: `${'l'.repeat(230)}` }] },
    ],
    [
      'two HUB parties on 2.3.0 without hubPartyId',
      {
        parties: [
          { role: 'HUB', country_code: 'NL', party_id: 'HUB', business_details: { name: 'H' } },
          { role: 'HUB', country_code: 'DE', party_id: 'HUB', business_details: { name: 'H' } },
          { role: 'CPO', country_code: 'NL', party_id: 'EXA', business_details: { name: 'C' } },
        ],
      },
    ],
  ])('refuses %s with an OcpiConfigError', (_name, override) => {
    expect(() => createOcpi({ ...valid, ...(override as Partial<OcpiOptions>) })).toThrow(OcpiConfigError)
  })

  it('counts the hubclientinfo URL towards the 255 limit only where it is published', () => {
    // A baseUrl whose credentials URL is exactly 255 characters; hubclientinfo is two characters longer.
    const base = 'https://cpo.example.com/'
    const baseUrl = base + 'a'.repeat(255 - '/2.2.1/credentials'.length - base.length)
    expect(() => createOcpi({ ...valid, baseUrl, versions: ['2.1.1', '2.2.1'] })).not.toThrow()
    expect(() =>
      createOcpi({ ...valid, baseUrl, versions: ['2.2.1'], hubClientInfo: { receiver: true } }),
    ).toThrow(/hubclientinfo would be 257 characters/)
  })

  it('publishes a module path with {version} replaced by each version', async () => {
    const ocpi = createOcpi({
      ...valid,
      versions: ['2.1.1', '2.2.1'],
      modules: [{ id: 'locations', role: 'SENDER', path: 'cpo/{version}/locations' }],
    })
    const { token } = await ocpi.invite()
    for (const version of ['2.1.1', '2.2.1']) {
      const response = await ocpi.handle(
        new Request(`https://cpo.example.com/ocpi/${version}`, {
          headers: { authorization: `Token ${version === '2.1.1' ? token : btoa(token)}` },
        }),
      )
      const { data } = await response.json()
      expect(data.endpoints.find((e: { identifier: string }) => e.identifier === 'locations').url).toBe(
        `https://cpo.example.com/ocpi/${version}/cpo/${version}/locations`,
      )
    }
  })

  it('says what to do with an empty sealing key (an unset environment variable)', () => {
    expect(() =>
      createOcpi({ ...valid, sealingKeys: [{ kid: '2026-11', key: process.env['UNSET_KEY'] ?? '' }] }),
    ).toThrow(/sealing key "2026-11" is empty .*openssl rand -base64 32/)
  })

  it('accepts a custom module declared as such', () => {
    expect(() =>
      createOcpi({ ...valid, modules: [{ id: 'nlexa-bookings', role: 'SENDER', custom: true }] }),
    ).not.toThrow()
  })
})
