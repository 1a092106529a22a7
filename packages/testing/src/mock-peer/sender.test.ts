import { describe, expect, test } from 'vitest'
import { createMockPeer, type MockPeer } from './create-mock-peer.js'
import { createFakePlatform } from './fake-platform.js'
import type { MockPeerOptions } from './options.js'

const BASE = 'https://cpo.example.com/ocpi'

function setup(
  options: Partial<MockPeerOptions> = {},
  fakeVersions: MockPeerOptions['versions'] = ['2.1.1', '2.2.1'],
) {
  let peer: MockPeer | undefined
  const fake = createFakePlatform({
    versions: fakeVersions,
    callMock: (request) => (peer === undefined ? Promise.reject(new Error('no peer')) : peer.fetch(request)),
  })
  peer = createMockPeer({
    baseUrl: BASE,
    versions: ['2.1.1', '2.2.1', '2.3.0'],
    parties: [{ role: 'CPO', country_code: 'NL', party_id: 'MCK' }],
    fetch: fake.handle,
    ...options,
  })
  return { fake, peer }
}

describe('the mock as registration Sender', () => {
  test('register: versions and details with TOKEN_A, highest mutual version, POST with its own fresh token', async () => {
    const { fake, peer } = setup()
    const tokenA = fake.invite()

    const result = await peer.register({ versionsUrl: fake.versionsUrl, token: tokenA })

    expect(result).toMatchObject({
      ok: true,
      step: 'POST credentials',
      version: '2.2.1',
      status: 200,
      statusCode: 1000,
    })
    expect(
      fake.calls.filter((c) => c.token === tokenA).map((c) => `${c.method} ${c.path} ${c.encoding}`),
    ).toEqual(['GET /versions base64', 'GET /2.2.1 base64', 'POST /2.2.1/credentials base64'])
    const posted = fake.link.credentials as { token: string; roles: unknown[] }
    expect(posted.roles).toEqual([
      { role: 'CPO', business_details: { name: 'Mock CPO NL*MCK' }, party_id: 'MCK', country_code: 'NL' },
    ])
    expect(peer.state).toMatchObject({ registered: true, version: '2.2.1', tokenForSdk: posted.token })
    expect(fake.accepted.has(peer.state.tokenFromSdk ?? '')).toBe(true)
    expect(peer.registeredWith).toMatchObject({ parties: [{ role: 'CPO', party_id: 'EXA' }] })
    // The fake's callback discovery reached the mock with the token that was still in flight.
    const callbacks = peer.exchanges.filter((e) => e.direction === 'inbound')
    expect(callbacks.map((e) => [e.target, e.response?.status])).toEqual([
      ['GET versions', 200],
      ['GET details', 200],
    ])
    expect(peer.violations).toEqual([])
  })

  test('register on 2.1.1 sends the raw token and flat Credentials', async () => {
    const { fake, peer } = setup({}, ['2.1.1'])
    const result = await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })
    expect(result).toMatchObject({ ok: true, version: '2.1.1' })
    expect(fake.calls.find((c) => c.method === 'POST')?.encoding).toBe('raw')
    expect(fake.link.credentials).toMatchObject({ party_id: 'MCK', country_code: 'NL' })
  })

  test('refusals are results: TOKEN_A reused, no mutual version, POST while registered', async () => {
    const { fake, peer } = setup()
    const tokenA = fake.invite()
    await peer.register({ versionsUrl: fake.versionsUrl, token: tokenA })

    expect(await peer.register({ versionsUrl: fake.versionsUrl, token: tokenA })).toMatchObject({
      ok: false,
      step: 'GET versions',
      status: 401,
      statusCode: 2000,
    })
    expect(await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })).toMatchObject({
      ok: false,
      step: 'POST credentials',
      status: 405,
    })

    const other = setup({ versions: ['2.3.0'] })
    const none = await other.peer.register({
      versionsUrl: other.fake.versionsUrl,
      token: other.fake.invite(),
    })
    expect(none).toMatchObject({ ok: false, status: 200, error: 'no version in common' })
    expect(other.fake.calls.map((c) => c.path)).toEqual(['/versions'])
  })

  test('rotate: re-discovers, PUTs a new token, keeps the returned one; the old token dies', async () => {
    const { fake, peer } = setup()
    await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })
    const before = peer.state
    fake.clear()

    const result = await peer.rotate()

    expect(result).toMatchObject({ ok: true, step: 'PUT credentials', version: '2.2.1', statusCode: 1000 })
    expect(
      fake.calls.filter((c) => c.token === before.tokenFromSdk).map((c) => `${c.method} ${c.path}`),
    ).toEqual(['GET /versions', 'GET /2.2.1', 'PUT /2.2.1/credentials'])
    expect(peer.state.tokenForSdk).not.toBe(before.tokenForSdk)
    expect(peer.state.tokenForSdk).toBe(fake.link.token)
    expect(peer.state.tokenFromSdk).not.toBe(before.tokenFromSdk)
    const old = await peer.fetch(`${BASE}/versions`, {
      headers: { authorization: `Token ${btoa(before.tokenForSdk ?? '')}` },
    })
    expect(old.status).toBe(401)
  })

  test('rotate to another version PUTs to that version in its format', async () => {
    const { fake, peer } = setup()
    await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })
    const result = await peer.rotate({ version: '2.1.1' })
    expect(result).toMatchObject({ ok: true, version: '2.1.1' })
    expect(fake.calls.find((c) => c.method === 'PUT')).toMatchObject({
      path: '/2.1.1/credentials',
      encoding: 'raw',
    })
    expect(fake.link.credentials).toMatchObject({ party_id: 'MCK' })
    expect(peer.state.version).toBe('2.1.1')
  })

  test('unregister: DELETE ends the link; afterwards the platform refusal comes back as a result', async () => {
    const { fake, peer } = setup()
    await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })
    expect(await peer.unregister()).toMatchObject({ ok: true, step: 'DELETE credentials', statusCode: 1000 })
    expect(peer.state).toMatchObject({ registered: false, tokenForSdk: null, tokenFromSdk: null })
    expect(await peer.unregister()).toMatchObject({ ok: false, status: 401 })
    expect(await peer.rotate()).toMatchObject({ ok: false, step: 'GET versions', status: 401 })
  })

  test('rotate and unregister before any registration are results too', async () => {
    const { peer } = setup()
    expect(await peer.rotate()).toMatchObject({
      ok: false,
      status: null,
      error: expect.stringMatching(/never/),
    })
    expect(await peer.unregister()).toMatchObject({ ok: false, status: null })
  })
})

describe('the mock as Sender checks the Receiver', () => {
  test('a POST answered without callback discovery is a violation and not ok (§2.4 step 6)', async () => {
    const { fake, peer } = setup()
    fake.quirks.skipDiscovery = true
    const result = await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })
    expect(result).toMatchObject({ ok: false, step: 'POST credentials', statusCode: 1000 })
    expect(result.error).toMatch(/without fetching/)
    expect(peer.violations.map((v) => `${v.target}: ${v.code}`)).toEqual([
      'POST credentials: discovery-skipped',
    ])
    expect(peer.state.registered).toBe(false)
  })

  test('a POST answered with the token the mock offered is a violation and not ok (§2.7)', async () => {
    const { fake, peer } = setup()
    fake.quirks.answerOfferedToken = true
    const result = await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })
    expect(result).toMatchObject({ ok: false, step: 'POST credentials' })
    expect(peer.violations.map((v) => `${v.target}: ${v.code}`)).toEqual([
      'POST credentials: invalid-credentials',
    ])
    expect(peer.state.registered).toBe(false)
  })

  test('a PUT answered without re-fetching is a violation and not ok (§2.3 PUT, §2.7)', async () => {
    const { fake, peer } = setup()
    expect((await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })).ok).toBe(true)
    const before = peer.state
    fake.quirks.skipDiscovery = true
    const result = await peer.rotate()
    expect(result).toMatchObject({ ok: false, step: 'PUT credentials' })
    expect(peer.violations.map((v) => `${v.target}: ${v.code}`)).toEqual([
      'PUT credentials: discovery-skipped',
    ])
    expect(peer.state.tokenForSdk).toBe(before.tokenForSdk)
  })

  test('a PUT re-fetched with the link current token is fine (the reference names no token)', async () => {
    const { fake, peer } = setup()
    await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })
    fake.quirks.discoverWithPreviousToken = true
    expect(await peer.rotate()).toMatchObject({ ok: true, version: '2.2.1' })
    expect(peer.violations).toEqual([])
  })
})
