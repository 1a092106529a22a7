import { describe, expect, test } from 'vitest'
import { createMockPeer } from './create-mock-peer.js'
import { createFakePlatform, credentials, ocpiInit } from './fake-platform.js'
import type { MockPeerOptions } from './options.js'

const BASE = 'https://emsp.example.com/ocpi'

interface Body {
  status_code: number
  status_message?: string
  data?: unknown
}

async function read(response: Response): Promise<Body> {
  return (await response.json()) as Body
}

function setup(options: Partial<MockPeerOptions> = {}, fakeVersions?: MockPeerOptions['versions']) {
  const fake = createFakePlatform(fakeVersions === undefined ? {} : { versions: fakeVersions })
  const peer = createMockPeer({ baseUrl: BASE, fetch: fake.handle, ...options })
  const tokenB = `sdk-b-${crypto.randomUUID()}`
  fake.accepted.add(tokenB)
  return { fake, peer, tokenB }
}

/** Registers the fake platform with the mock (the mock as Receiver) and returns the mock's answer. */
async function registerFake(ctx: ReturnType<typeof setup>, version = '2.2.1') {
  const tokenA = ctx.peer.invite()
  const legacy = version === '2.1.1'
  const response = await ctx.peer.fetch(
    `${BASE}/${version}/credentials`,
    ocpiInit('POST', tokenA, {
      body: credentials(version, ctx.tokenB),
      legacy,
      encoding: legacy ? 'raw' : 'base64',
    }),
  )
  return { tokenA, response, body: await read(response) }
}

/** A registered fake platform that then PUT a new token: the token it replaced, and the mock's new one. */
async function afterPlatformPut() {
  const ctx = setup()
  await registerFake(ctx)
  const old = ctx.peer.state.tokenForSdk ?? ''
  const newB = `sdk-b2-${crypto.randomUUID()}`
  ctx.fake.accepted.add(newB)
  const put = ocpiInit('PUT', old, { body: credentials('2.2.1', newB) })
  expect((await read(await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, put))).status_code).toBe(1000)
  return { ctx, old, newB, fresh: ctx.peer.state.tokenForSdk ?? '' }
}

describe('the mock as registration Receiver', () => {
  test('a 2.2.1 POST makes it GET our versions and details with TOKEN_B in Base64, then answers its token', async () => {
    const ctx = setup()
    const { response, body } = await registerFake(ctx)

    expect(response.status).toBe(200)
    expect(body.status_code).toBe(1000)
    expect(body.data).toMatchObject({
      token: ctx.peer.state.tokenForSdk,
      url: ctx.peer.versionsUrl,
      roles: [
        { role: 'EMSP', country_code: 'DE', party_id: 'MSP', business_details: { name: 'Mock EMSP DE*MSP' } },
      ],
    })
    expect(ctx.fake.calls.map((c) => [c.method, c.path, c.token, c.encoding])).toEqual([
      ['GET', '/versions', ctx.tokenB, 'base64'],
      ['GET', '/2.2.1', ctx.tokenB, 'base64'],
    ])
    expect(ctx.peer.exchanges.map((e) => `${e.direction} ${e.target}`)).toEqual([
      'inbound POST credentials',
      'outbound GET versions',
      'outbound GET details',
    ])
    expect(ctx.peer.state).toMatchObject({
      registered: true,
      version: '2.2.1',
      tokenFromSdk: ctx.tokenB,
      sdkVersionsUrl: 'https://sdk.test/ocpi/versions',
      sdkParties: [{ role: 'CPO', country_code: 'NL', party_id: 'EXA' }],
    })
    expect(ctx.peer.registeredWith).toMatchObject({ version: '2.2.1', roles: ['CPO'] })
    expect(ctx.peer.state.sdkEndpoints.map((e) => e.identifier)).toEqual([
      'credentials',
      'locations',
      'tokens',
    ])
    expect(ctx.peer.violations).toEqual([])
  })

  test('a 2.1.1 POST uses the raw token for the callback and answers flat Credentials', async () => {
    const ctx = setup({ versions: ['2.1.1'] }, ['2.1.1'])
    const { body } = await registerFake(ctx, '2.1.1')

    expect(body.status_code).toBe(1000)
    expect(body.data).toEqual({
      token: ctx.peer.state.tokenForSdk,
      url: ctx.peer.versionsUrl,
      business_details: { name: 'Mock EMSP DE*MSP' },
      party_id: 'MSP',
      country_code: 'DE',
    })
    expect(ctx.fake.calls.map((c) => c.encoding)).toEqual(['raw', 'raw'])
    expect(ctx.fake.calls[0]?.headers.has('x-request-id')).toBe(false)
    expect(ctx.peer.registeredWith?.parties).toEqual([
      { role: null, country_code: 'NL', party_id: 'EXA', business_details: { name: 'Fake CPO' } },
    ])
    expect(ctx.peer.violations).toEqual([])
  })

  test('TOKEN_A dies with the registration; the issued token works instead', async () => {
    const ctx = setup()
    const { tokenA } = await registerFake(ctx)
    const token = ctx.peer.state.tokenForSdk ?? ''

    expect((await ctx.peer.fetch(ctx.peer.versionsUrl, ocpiInit('GET', tokenA))).status).toBe(401)
    expect((await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('GET', tokenA))).status).toBe(401)
    expect(ctx.peer.state.invitations).toEqual([])
    const versions = await ctx.peer.fetch(ctx.peer.versionsUrl, ocpiInit('GET', token))
    expect(await read(versions)).toMatchObject({
      status_code: 1000,
      data: [{ version: '2.2.1', url: `${BASE}/2.2.1` }],
    })
  })

  test('every outstanding TOKEN_A dies when a registration completes (§2.4 step 8)', async () => {
    const ctx = setup()
    const other = ctx.peer.invite()
    await registerFake(ctx)
    expect(ctx.peer.state.invitations).toEqual([])
    expect((await ctx.peer.fetch(ctx.peer.versionsUrl, ocpiInit('GET', other))).status).toBe(401)
    expect((await ctx.peer.fetch(`${BASE}/2.2.1`, ocpiInit('GET', other))).status).toBe(401)
    // The mock registering with the platform completes a registration too.
    const holder: { peer?: ReturnType<typeof createMockPeer> } = {}
    const fake = createFakePlatform({
      callMock: (request) => (holder.peer as NonNullable<typeof holder.peer>).fetch(request),
    })
    const peer = createMockPeer({ baseUrl: BASE, fetch: fake.handle })
    holder.peer = peer
    const left = peer.invite()
    expect((await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })).ok).toBe(true)
    expect(peer.state.invitations).toEqual([])
    expect((await peer.fetch(peer.versionsUrl, ocpiInit('GET', left))).status).toBe(401)
  })

  test('TOKEN_A is valid on versions, details and credentials GET only: a module answers 401', async () => {
    const ctx = setup()
    const tokenA = ctx.peer.invite()
    expect((await ctx.peer.fetch(ctx.peer.versionsUrl, ocpiInit('GET', tokenA))).status).toBe(200)
    const details = await read(await ctx.peer.fetch(`${BASE}/2.2.1`, ocpiInit('GET', tokenA)))
    expect(details.data).toMatchObject({
      version: '2.2.1',
      endpoints: expect.arrayContaining([
        { identifier: 'credentials', role: 'SENDER', url: `${BASE}/2.2.1/credentials` },
        { identifier: 'tokens', role: 'SENDER', url: `${BASE}/2.2.1/tokens` },
        { identifier: 'locations', role: 'RECEIVER', url: `${BASE}/2.2.1/locations` },
      ]),
    })
    const own = await read(await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('GET', tokenA)))
    expect(own.data).toMatchObject({ token: tokenA })

    expect((await ctx.peer.fetch(`${BASE}/2.2.1/tokens`, ocpiInit('GET', tokenA))).status).toBe(401)
    expect(ctx.peer.violations.map((v) => v.code)).toEqual([
      'routing-headers-missing',
      'token-a-out-of-scope',
    ])
  })

  test('405: POST when registered (with the current token or another TOKEN_A); PUT and DELETE when not', async () => {
    const ctx = setup()
    const invite = ctx.peer.invite()
    const put = await ctx.peer.fetch(
      `${BASE}/2.2.1/credentials`,
      ocpiInit('PUT', invite, { body: credentials('2.2.1', ctx.tokenB) }),
    )
    expect(put.status).toBe(405)
    expect((await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('DELETE', invite))).status).toBe(405)

    await registerFake(ctx)
    const current = ctx.peer.state.tokenForSdk ?? ''
    const again = { body: credentials('2.2.1', ctx.tokenB) }
    expect((await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('POST', current, again))).status).toBe(
      405,
    )
    const later = ctx.peer.invite()
    expect((await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('POST', later, again))).status).toBe(
      405,
    )
    expect(ctx.peer.state.tokenForSdk).toBe(current)
  })

  test('an unknown token gets 401 everywhere', async () => {
    const ctx = setup()
    const response = await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('DELETE', 'who-knows'))
    expect(response.status).toBe(401)
    expect(await read(response)).toMatchObject({ status_code: 2000 })
    expect(ctx.peer.violations.map((v) => v.code)).toEqual(['unknown-token'])
  })

  test('PUT re-fetches the endpoints with the new token, switches version, issues a new token', async () => {
    const ctx = setup({ versions: ['2.1.1', '2.2.1'] }, ['2.1.1', '2.2.1'])
    await registerFake(ctx, '2.1.1')
    const old = ctx.peer.state.tokenForSdk ?? ''
    const newB = `sdk-b2-${crypto.randomUUID()}`
    ctx.fake.accepted.add(newB)
    ctx.fake.clear()

    const response = await ctx.peer.fetch(
      `${BASE}/2.2.1/credentials`,
      ocpiInit('PUT', old, { body: credentials('2.2.1', newB) }),
    )
    const body = await read(response)

    expect(body.status_code).toBe(1000)
    expect(ctx.fake.calls.map((c) => [c.path, c.token, c.encoding])).toEqual([
      ['/versions', newB, 'base64'],
      ['/2.2.1', newB, 'base64'],
    ])
    const fresh = ctx.peer.state.tokenForSdk
    expect(fresh).not.toBe(old)
    expect(body.data).toMatchObject({ token: fresh, roles: [{ party_id: 'MSP' }] })
    expect(ctx.peer.state).toMatchObject({ version: '2.2.1', tokenFromSdk: newB })
    expect((await ctx.peer.fetch(ctx.peer.versionsUrl, ocpiInit('GET', fresh ?? ''))).status).toBe(200)
    const routing = {
      'ocpi-from-country-code': 'NL',
      'ocpi-from-party-id': 'EXA',
      'ocpi-to-country-code': 'DE',
      'ocpi-to-party-id': 'MSP',
    }
    const module = await ctx.peer.fetch(`${BASE}/2.2.1/tokens`, ocpiInit('GET', old, { headers: routing }))
    expect(module.status).toBe(401)
    expect(ctx.peer.violations.map((v) => v.code)).toEqual(['unknown-token']) // the replaced token, just above
  })

  test('the token a PUT replaced answers the check of a lost answer (its grace): GET versions, details and credentials, with the new token', async () => {
    const { ctx, old, newB, fresh } = await afterPlatformPut()

    expect((await ctx.peer.fetch(ctx.peer.versionsUrl, ocpiInit('GET', old))).status).toBe(200)
    expect((await ctx.peer.fetch(`${BASE}/2.2.1`, ocpiInit('GET', old))).status).toBe(200)
    const check = await read(await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('GET', old)))
    expect(check).toMatchObject({ status_code: 1000, data: { token: fresh } })
    expect(ctx.peer.violations).toEqual([])

    // Not a second PUT, nor a DELETE: those need the current token.
    const again = ocpiInit('PUT', old, { body: credentials('2.2.1', newB) })
    expect((await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, again)).status).toBe(401)
    expect((await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('DELETE', old))).status).toBe(401)
    expect(ctx.peer.state.registered).toBe(true)

    // The next PUT ends that grace: only the token it replaces takes its place.
    const newer = `sdk-b3-${crypto.randomUUID()}`
    ctx.fake.accepted.add(newer)
    const next = ocpiInit('PUT', fresh ?? '', { body: credentials('2.2.1', newer) })
    expect((await read(await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, next))).status_code).toBe(1000)
    ctx.peer.reset()
    expect((await ctx.peer.fetch(ctx.peer.versionsUrl, ocpiInit('GET', old))).status).toBe(401)
    expect((await ctx.peer.fetch(ctx.peer.versionsUrl, ocpiInit('GET', fresh ?? ''))).status).toBe(200)
    expect(ctx.peer.violations.map((v) => v.code)).toEqual(['unknown-token'])
  })

  test('the first call with the new token ends the grace of the token the PUT replaced', async () => {
    const { ctx, old, fresh } = await afterPlatformPut()

    expect((await ctx.peer.fetch(ctx.peer.versionsUrl, ocpiInit('GET', fresh))).status).toBe(200)
    expect((await ctx.peer.fetch(ctx.peer.versionsUrl, ocpiInit('GET', old))).status).toBe(401)
    expect(ctx.peer.violations.map((v) => v.code)).toEqual(['unknown-token'])
  })

  test('DELETE unregisters: 200 + 1000, the token is void, and a second DELETE is refused', async () => {
    const ctx = setup()
    await registerFake(ctx)
    const token = ctx.peer.state.tokenForSdk ?? ''

    const response = await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('DELETE', token))
    expect(response.status).toBe(200)
    expect(await read(response)).toMatchObject({ status_code: 1000 })
    expect(ctx.peer.state).toMatchObject({
      registered: false,
      version: null,
      tokenForSdk: null,
      tokenFromSdk: null,
    })
    expect((await ctx.peer.fetch(`${BASE}/2.2.1/credentials`, ocpiInit('DELETE', token))).status).toBe(401)
  })

  test('3001 when our API cannot be used; TOKEN_A survives the failed attempt', async () => {
    const ctx = setup()
    const tokenA = ctx.peer.invite()
    const body = await read(
      await ctx.peer.fetch(
        `${BASE}/2.2.1/credentials`,
        ocpiInit('POST', tokenA, { body: credentials('2.2.1', 'nope') }),
      ),
    )
    expect(body.status_code).toBe(3001)
    expect(ctx.peer.state.registered).toBe(false)
    expect(ctx.peer.state.invitations).toEqual([tokenA])
  })

  test('3002 when the POSTed version is not in our list', async () => {
    const ctx = setup({ versions: ['2.1.1', '2.2.1'] }, ['2.1.1'])
    const { body } = await registerFake(ctx, '2.2.1')
    expect(body.status_code).toBe(3002)
    expect(ctx.fake.calls.map((c) => c.path)).toEqual(['/versions'])
  })

  test('3003 when we lack a required module, or credentials', async () => {
    const ctx = setup({ requires: ['commands'] })
    expect((await registerFake(ctx)).body).toMatchObject({ status_code: 3003 })

    const bare = setup()
    bare.fake.quirks.detailsWithoutCredentials = true
    expect((await registerFake(bare)).body.status_code).toBe(3003)
    expect(bare.peer.violations.map((v) => v.code)).toEqual(['details-missing-credentials'])
  })

  test('2001 for Credentials in the wrong format for the version, with each problem recorded', async () => {
    const ctx = setup()
    const tokenA = ctx.peer.invite()
    const response = await ctx.peer.fetch(
      `${BASE}/2.2.1/credentials`,
      ocpiInit('POST', tokenA, { body: credentials('2.1.1', ctx.tokenB) }),
    )
    expect(await read(response)).toMatchObject({ status_code: 2001 })
    expect(ctx.peer.violations).toEqual([
      expect.objectContaining({
        code: 'invalid-credentials',
        message: 'roles: required, an array of CredentialsRole',
      }),
    ])
    expect(ctx.fake.calls).toEqual([])
  })

  test.each([
    ['2.1.1', 'E'],
    ['2.1.1', 'EX'],
    ['2.2.1', 'E'],
    ['2.2.1', 'EX'],
    ['2.3.0', 'EX'],
  ])('a %s party_id of 1 to 3 characters (%s) is valid: registered, no violation', async (version, id) => {
    const ctx = setup({ versions: [version as '2.1.1' | '2.2.1' | '2.3.0'] }, [version as '2.2.1'])
    const legacy = version === '2.1.1'
    const body = credentials(version, ctx.tokenB)
    const party = { party_id: id, country_code: 'NL' }
    const presented = legacy
      ? { ...body, ...party }
      : {
          ...body,
          roles: [{ role: 'CPO', business_details: { name: 'Short' }, ...party }],
          ...(version === '2.3.0' ? { hub_party_id: `NL${id}` } : {}),
        }
    const response = await ctx.peer.fetch(
      `${BASE}/${version}/credentials`,
      ocpiInit('POST', ctx.peer.invite(), { body: presented, legacy, encoding: legacy ? 'raw' : 'base64' }),
    )
    expect((await read(response)).status_code).toBe(1000)
    expect(ctx.peer.registeredWith?.parties).toEqual([expect.objectContaining({ party_id: id })])
    expect(ctx.peer.violations).toEqual([])
  })

  test('a party_id of 4 characters, or none, is refused with 2001', async () => {
    for (const id of ['EXAM', '']) {
      const ctx = setup()
      const body = credentials('2.2.1', ctx.tokenB)
      const roles = [{ role: 'CPO', business_details: { name: 'Long' }, party_id: id, country_code: 'NL' }]
      const response = await ctx.peer.fetch(
        `${BASE}/2.2.1/credentials`,
        ocpiInit('POST', ctx.peer.invite(), { body: { ...body, roles } }),
      )
      expect((await read(response)).status_code).toBe(2001)
      expect(new Set(ctx.peer.violations.map((v) => v.code))).toEqual(new Set(['invalid-credentials']))
    }
  })

  test('2001 when the body token is the TOKEN_A the request came with', async () => {
    const ctx = setup()
    const tokenA = ctx.peer.invite()
    const body = await read(
      await ctx.peer.fetch(
        `${BASE}/2.2.1/credentials`,
        ocpiInit('POST', tokenA, { body: credentials('2.2.1', tokenA) }),
      ),
    )
    expect(body.status_code).toBe(2001)
  })

  test('2.3.0: presents hub_party_id, refuses the HUB role', async () => {
    const ctx = setup({ versions: ['2.3.0'], hubPartyId: 'DEHUB' }, ['2.3.0'])
    const tokenA = ctx.peer.invite()
    const hub = {
      ...credentials('2.3.0', ctx.tokenB),
      roles: [{ role: 'HUB', business_details: { name: 'H' }, party_id: 'HUB', country_code: 'NL' }],
    }
    const refused = await read(
      await ctx.peer.fetch(`${BASE}/2.3.0/credentials`, ocpiInit('POST', tokenA, { body: hub })),
    )
    expect(refused).toMatchObject({
      status_code: 2001,
      status_message: expect.stringContaining('HUB was removed'),
    })

    const { body } = await registerFake(ctx, '2.3.0')
    expect(body.data).toMatchObject({ hub_party_id: 'DEHUB', roles: [{ role: 'EMSP' }] })
  })

  test('a module answers [] to the registered caller and swaps the routing headers', async () => {
    const ctx = setup()
    await registerFake(ctx)
    const response = await ctx.peer.fetch(
      `${BASE}/2.2.1/tokens?limit=10`,
      ocpiInit('GET', ctx.peer.state.tokenForSdk ?? '', {
        headers: {
          'ocpi-from-country-code': 'NL',
          'ocpi-from-party-id': 'EXA',
          'ocpi-to-country-code': 'DE',
          'ocpi-to-party-id': 'MSP',
        },
      }),
    )
    expect(await read(response)).toMatchObject({ status_code: 1000, data: [] })
    expect(response.headers.get('ocpi-to-party-id')).toBe('EXA')
    expect(response.headers.get('ocpi-from-party-id')).toBe('MSP')
    expect(ctx.peer.violations).toEqual([])
  })

  test('echoes X-Request-ID and X-Correlation-ID; answers 404 for unknown paths', async () => {
    const ctx = setup()
    const tokenA = ctx.peer.invite()
    const response = await ctx.peer.fetch(
      ctx.peer.versionsUrl,
      ocpiInit('GET', tokenA, { headers: { 'x-request-id': 'r-1', 'x-correlation-id': 'c-1' } }),
    )
    expect(response.headers.get('x-request-id')).toBe('r-1')
    expect(response.headers.get('x-correlation-id')).toBe('c-1')
    expect((await ctx.peer.fetch(`${BASE}/9.9/credentials`, ocpiInit('GET', tokenA))).status).toBe(404)
  })

  test('peer.fetch rejects other URLs unless options.fetch is given, then delegates', async () => {
    const ctx = setup()
    const alone = createMockPeer({ baseUrl: BASE })
    await expect(alone.fetch('https://elsewhere.test/x')).rejects.toThrow(TypeError)
    await expect(alone.fetch(`${BASE}-other/versions`)).rejects.toThrow(TypeError)
    const delegated = await ctx.peer.fetch('https://sdk.test/ocpi/versions', ocpiInit('GET', ctx.tokenB))
    expect(await read(delegated)).toMatchObject({ status_code: 1000 })
  })
})
