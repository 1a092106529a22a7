import { describe, expect, test } from 'vitest'
import { createMockPeer } from './create-mock-peer.js'
import { createFakePlatform, credentials, ocpiInit } from './fake-platform.js'
import type { MockPeerOptions } from './options.js'

const BASE = 'https://emsp.example.com/ocpi'

function setup(options: Partial<MockPeerOptions> = {}, fakeVersions?: MockPeerOptions['versions']) {
  const fake = createFakePlatform(fakeVersions === undefined ? {} : { versions: fakeVersions })
  const peer = createMockPeer({ baseUrl: BASE, fetch: fake.handle, ...options })
  const tokenB = `sdk-b-${crypto.randomUUID()}`
  fake.accepted.add(tokenB)
  return { fake, peer, tokenB }
}

function codes(peer: ReturnType<typeof createMockPeer>): string[] {
  return peer.violations.map((v) => v.code)
}

describe('violations are recorded, not silently accepted', () => {
  test('a routing header on the credentials POST (the registration still goes through)', async () => {
    const { peer, tokenB } = setup()
    const response = await peer.fetch(
      `${BASE}/2.2.1/credentials`,
      ocpiInit('POST', peer.invite(), {
        body: credentials('2.2.1', tokenB),
        headers: { 'OCPI-to-party-id': 'MSP', 'OCPI-to-country-code': 'DE' },
      }),
    )
    expect(response.status).toBe(200)
    expect(peer.violations).toEqual([
      expect.objectContaining({
        code: 'routing-headers-on-configuration-module',
        direction: 'inbound',
        target: 'POST credentials',
        message: expect.stringContaining('ocpi-to-country-code, ocpi-to-party-id'),
      }),
    ])
  })

  test('a missing X-Request-ID and X-Correlation-ID on 2.2.1', async () => {
    const { peer } = setup()
    await peer.fetch(
      peer.versionsUrl,
      ocpiInit('GET', peer.invite(), { headers: { 'x-request-id': null, 'x-correlation-id': null } }),
    )
    expect(codes(peer)).toEqual(['request-id-missing', 'correlation-id-missing'])
  })

  test('not on 2.1.1, where those headers do not exist', async () => {
    const { peer } = setup({ versions: ['2.1.1'] })
    await peer.fetch(peer.versionsUrl, ocpiInit('GET', peer.invite(), { legacy: true, encoding: 'raw' }))
    expect(codes(peer)).toEqual([])
  })

  test('a Base64 token on 2.1.1: accepted and recorded by default, 401 when the mock accepts raw only', async () => {
    const lenient = setup({ versions: ['2.1.1'] })
    const ok = await lenient.peer.fetch(
      `${BASE}/2.1.1`,
      ocpiInit('GET', lenient.peer.invite(), { legacy: true }),
    )
    expect(ok.status).toBe(200)
    expect(lenient.peer.violations).toEqual([
      expect.objectContaining({ code: 'token-encoding', message: 'the token was sent base64, expected raw' }),
    ])

    const strict = setup({ versions: ['2.1.1'], accepts: 'raw' })
    const refused = await strict.peer.fetch(
      `${BASE}/2.1.1`,
      ocpiInit('GET', strict.peer.invite(), { legacy: true }),
    )
    expect(refused.status).toBe(401)
    expect(codes(strict.peer)).toEqual(['token-encoding'])
  })

  test('a raw token on 2.2.1; 401 when the mock accepts Base64 only', async () => {
    const lenient = setup()
    await lenient.peer.fetch(`${BASE}/2.2.1`, ocpiInit('GET', lenient.peer.invite(), { encoding: 'raw' }))
    expect(codes(lenient.peer)).toEqual(['token-encoding'])

    const strict = setup({ accepts: 'base64' })
    const response = await strict.peer.fetch(
      `${BASE}/2.2.1`,
      ocpiInit('GET', strict.peer.invite(), { encoding: 'raw' }),
    )
    expect(response.status).toBe(401)
  })

  // `accepts` naming one form makes it the only form expected, whatever tokenEncoding says (or leaves to
  // its default): the form taken is never flagged, the other is refused (and flagged unless retried).
  test.each([
    ['2.2.1', 'raw', undefined],
    ['2.2.1', 'raw', 'per-version'],
    ['2.2.1', 'raw', 'base64'],
    ['2.1.1', 'base64', undefined],
    ['2.1.1', 'base64', 'raw'],
    ['2.2.1', 'base64', 'raw'],
  ] as const)(
    'on %s with accepts %s (tokenEncoding %s): the form taken is no violation',
    async (version, form, encoding) => {
      const { peer } = setup({
        versions: [version],
        accepts: form,
        ...(encoding === undefined ? {} : { tokenEncoding: encoding }),
      })
      const init = ocpiInit('GET', peer.invite(), { encoding: form, legacy: version === '2.1.1' })
      expect((await peer.fetch(`${BASE}/${version}`, init)).status).toBe(200)
      expect(peer.violations).toEqual([])
    },
  )

  test.each([
    ['raw', '2.2.1'],
    ['base64', '2.1.1'],
  ] as const)(
    'accepts %s alone: the mock sends its own tokens in that form too, even on %s',
    async (form, version) => {
      const { peer, fake } = setup({ versions: [version], accepts: form }, [version])
      await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })
      expect(peer.exchanges.filter((e) => e.direction === 'outbound').length).toBeGreaterThan(0)
      expect(fake.calls.every((call) => call.encoding === form)).toBe(true)
    },
  )

  /** A mock offering 2.1.1 and 2.2.1, registered by the fake platform on 2.1.1 (the raw token). */
  async function registeredOn211() {
    const { peer, fake, tokenB } = setup({ versions: ['2.1.1', '2.2.1'] }, ['2.1.1', '2.2.1'])
    const post = ocpiInit('POST', peer.invite(), {
      body: credentials('2.1.1', tokenB),
      legacy: true,
      encoding: 'raw',
    })
    await peer.fetch(`${BASE}/2.1.1/credentials`, post)
    return { peer, fake }
  }

  test('a PUT that moves from 2.1.1 to 2.2.1 may use either encoding (the spec does not say)', async () => {
    const { peer, fake } = await registeredOn211()
    const newB = `sdk-b2-${crypto.randomUUID()}`
    fake.accepted.add(newB)
    const put = ocpiInit('PUT', peer.state.tokenForSdk ?? '', {
      body: credentials('2.2.1', newB),
      encoding: 'raw',
    })
    expect((await peer.fetch(`${BASE}/2.2.1/credentials`, put)).status).toBe(200)
    expect(peer.state.version).toBe('2.2.1')
    expect(codes(peer)).toEqual([])
  })

  test('after a PUT to 2.2.1, module calls on 2.1.1 or with the raw token are violations', async () => {
    const { peer, fake } = await registeredOn211()
    const token = () => peer.state.tokenForSdk ?? ''
    // On 2.1.1, the raw token on a 2.1.1 module: fine.
    expect(
      (await peer.fetch(`${BASE}/2.1.1/tokens`, ocpiInit('GET', token(), { legacy: true, encoding: 'raw' })))
        .status,
    ).toBe(200)
    const newB = `sdk-b2-${crypto.randomUUID()}`
    fake.accepted.add(newB)
    await peer.fetch(
      `${BASE}/2.2.1/credentials`,
      ocpiInit('PUT', token(), { body: credentials('2.2.1', newB), encoding: 'raw' }),
    )
    expect(peer.state.version).toBe('2.2.1')
    expect(codes(peer)).toEqual([])
    const routing = {
      'ocpi-from-country-code': 'NL',
      'ocpi-from-party-id': 'EXA',
      'ocpi-to-country-code': 'DE',
      'ocpi-to-party-id': 'MSP',
    }
    // The new version's module in Base64: fine.
    await peer.fetch(`${BASE}/2.2.1/tokens`, ocpiInit('GET', token(), { headers: routing }))
    expect(codes(peer)).toEqual([])
    // The old version's module, the old token form: a platform that did not switch.
    await peer.fetch(`${BASE}/2.1.1/tokens`, ocpiInit('GET', token(), { legacy: true, encoding: 'raw' }))
    expect(codes(peer)).toEqual(['token-encoding', 'version-mismatch'])
    peer.reset()
    // The link's version with the old token form.
    await peer.fetch(`${BASE}/2.2.1/tokens`, ocpiInit('GET', token(), { encoding: 'raw', headers: routing }))
    expect(peer.violations.map((v) => v.message)).toEqual(['the token was sent raw, expected base64'])
  })

  test('Base64 of the token plus a line feed (the spec example erratum) is accepted but recorded', async () => {
    const { peer } = setup()
    const tokenA = peer.invite()
    const response = await peer.fetch(
      peer.versionsUrl,
      ocpiInit('GET', tokenA, { headers: { authorization: `Token ${btoa(`${tokenA}\n`)}` } }),
    )
    expect(response.status).toBe(200)
    expect(peer.violations.map((v) => v.message)).toEqual([
      'the Base64 value encodes the token followed by a line feed',
    ])
  })

  test('a wrong scheme or no Authorization at all: 401', async () => {
    const { peer } = setup()
    const tokenA = peer.invite()
    const bearer = { headers: { authorization: `Bearer ${btoa(tokenA)}` } }
    expect((await peer.fetch(peer.versionsUrl, ocpiInit('GET', tokenA, bearer))).status).toBe(401)
    expect(
      (await peer.fetch(peer.versionsUrl, ocpiInit('GET', tokenA, { headers: { authorization: null } })))
        .status,
    ).toBe(401)
    expect(codes(peer)).toEqual(['authorization-scheme', 'authorization-missing'])
  })

  test('a body without Content-Type: application/json', async () => {
    const { peer, tokenB } = setup()
    await peer.fetch(
      `${BASE}/2.2.1/credentials`,
      ocpiInit('POST', peer.invite(), {
        body: credentials('2.2.1', tokenB),
        headers: { 'content-type': 'text/plain' },
      }),
    )
    expect(codes(peer)).toEqual(['content-type'])
  })

  test('a body that is not JSON: 400', async () => {
    const { peer } = setup()
    const init = ocpiInit('POST', peer.invite(), { headers: { 'content-type': 'application/json' } })
    const response = await peer.fetch(`${BASE}/2.2.1/credentials`, { ...init, body: '{"token":' })
    expect(response.status).toBe(400)
    expect(codes(peer)).toEqual(['invalid-json'])
  })

  test('field-level problems in a 2.2.1 Credentials body', async () => {
    const { peer } = setup()
    const body = {
      token: 'has space',
      url: 'not a url',
      roles: [
        { role: 'CPO', business_details: { name: 'A' }, party_id: 'EXAM', country_code: 'NL' },
        { role: 'DRIVER', business_details: {}, party_id: 'EXA', country_code: 'NLD' },
      ],
    }
    await peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('POST', peer.invite(), { body }))
    expect(peer.violations.map((v) => v.message)).toEqual([
      'token: must be printable non-whitespace ASCII',
      'url: must be an absolute http(s) URL',
      'roles[0].party_id: longer than 3 characters',
      'roles[0].party_id: must be 1 to 3 letters or digits',
      'roles[1].role: must be one of CPO, EMSP, HUB, NAP, NSP, OTHER, SCSP',
      'roles[1].business_details.name: required',
      'roles[1].country_code: longer than 2 characters',
      'roles[1].country_code: must be an ISO 3166 alpha-2 code',
    ])
  })

  test('a functional module call on 2.2.1 without routing headers, or to a party the mock does not host', async () => {
    const { peer, tokenB } = setup({
      parties: [
        { role: 'EMSP', country_code: 'DE', party_id: 'MSP' },
        { role: 'EMSP', country_code: 'DE', party_id: 'MS2' },
      ],
    })
    await peer.fetch(
      `${BASE}/2.2.1/credentials`,
      ocpiInit('POST', peer.invite(), { body: credentials('2.2.1', tokenB) }),
    )
    const token = peer.state.tokenForSdk ?? ''
    peer.reset()
    await peer.fetch(`${BASE}/2.2.1/tokens`, ocpiInit('GET', token))
    await peer.fetch(
      `${BASE}/2.2.1/tokens`,
      ocpiInit('GET', token, {
        headers: {
          'ocpi-from-country-code': 'NL',
          'ocpi-from-party-id': 'XXX',
          'ocpi-to-country-code': 'DE',
          'ocpi-to-party-id': 'ZZZ',
        },
      }),
    )
    expect(codes(peer)).toEqual([
      'routing-headers-missing',
      'routing-headers-mismatch',
      'routing-headers-mismatch',
    ])
  })

  test('a direct link with one party on each side may leave routing headers out (§3.6)', async () => {
    const { peer, tokenB } = setup()
    await peer.fetch(
      `${BASE}/2.2.1/credentials`,
      ocpiInit('POST', peer.invite(), { body: credentials('2.2.1', tokenB) }),
    )
    const token = peer.state.tokenForSdk ?? ''
    peer.reset()
    expect((await peer.fetch(`${BASE}/2.2.1/tokens`, ocpiInit('GET', token))).status).toBe(200)
    expect(codes(peer)).toEqual([])
    // Headers that are sent are still checked.
    await peer.fetch(
      `${BASE}/2.2.1/tokens`,
      ocpiInit('GET', token, {
        headers: {
          'ocpi-from-country-code': 'NL',
          'ocpi-from-party-id': 'EXA',
          'ocpi-to-country-code': 'DE',
          'ocpi-to-party-id': 'ZZZ',
        },
      }),
    )
    expect(codes(peer)).toEqual(['routing-headers-mismatch'])
  })

  test('no Content-Type on a 2.1.1 POST: the rule is 2.2+ only (§3.7)', async () => {
    const { peer, tokenB } = setup({ versions: ['2.1.1', '2.2.1'] }, ['2.1.1', '2.2.1'])
    const init = ocpiInit('POST', peer.invite(), {
      body: credentials('2.1.1', tokenB),
      legacy: true,
      encoding: 'raw',
      headers: { 'content-type': null },
    })
    const response = await peer.fetch(`${BASE}/2.1.1/credentials`, init)
    expect(response.status).toBe(200)
    expect(codes(peer)).toEqual([])
  })

  test('in the answers of the platform under test: no echoed request ids, routing headers', async () => {
    const { peer, fake, tokenB } = setup()
    fake.quirks.omitEchoHeaders = true
    fake.quirks.routingHeadersInAnswers = true
    await peer.fetch(
      `${BASE}/2.2.1/credentials`,
      ocpiInit('POST', peer.invite(), { body: credentials('2.2.1', tokenB) }),
    )
    expect(
      peer.violations.filter((v) => v.target === 'GET versions').map((v) => [v.direction, v.code]),
    ).toEqual([
      ['outbound', 'request-id-not-echoed'],
      ['outbound', 'correlation-id-not-echoed'],
      ['outbound', 'routing-headers-on-configuration-module'],
    ])
  })

  test('the exchange log carries headers, Authorization included, and reset() clears it', async () => {
    const { peer } = setup()
    const tokenA = peer.invite()
    await peer.fetch(peer.versionsUrl, ocpiInit('GET', tokenA))
    expect(peer.exchanges[0]?.headers['authorization']).toBe(`Token ${btoa(tokenA)}`)
    peer.reset()
    expect(peer.exchanges).toEqual([])
  })
})
