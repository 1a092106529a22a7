// Field quirks: what real peers send that a strict reading of the spec would refuse, and what a lenient,
// compliant platform does with it (reference §7.9, implementations.md): cosmetic fields that do not parse,
// envelopes with a string status code, peers refusing a token form with 403 / 400 / 2xxx, requests a
// 2.2.1 hub forwards, 2.3.0 hubs listing hundreds of parties, ClientInfo without last_updated, and the
// order of our versions list.
import { describe, expect, it } from 'vitest'
import { call, createReceiver, installSender, request, senderCredentials, useMswServer } from './harness.js'
import { type Platform, World } from './platforms.js'

const PEER = 'https://peer.example.com/ocpi'
const b64 = (s: string) => btoa(s)

interface FakePeerOptions {
  /** Version the fake peer lists and speaks. */
  version?: '2.1.1' | '2.2.1' | '2.3.0'
  /** Which Authorization forms it accepts for a given token. */
  accepts?: 'raw' | 'base64' | 'any'
  /** What it answers to a token it does not accept (default: a proper 401). */
  refuse?: () => Response
  /** Builds the envelope around `data` (default: a conforming envelope). */
  envelope?: (data: unknown) => unknown
  /** Business details it presents in its credentials answer. */
  business?: unknown
  /** Fields added to its 2.2+ credentials answer (e.g. `hub_party_id`). */
  answerExtra?: Record<string, unknown>
  /** Entries added to its versions list and to its version details' endpoints. */
  extraVersions?: readonly unknown[]
  extraEndpoints?: readonly unknown[]
}

/**
 * A hand-written registration Receiver (the platform `ocpi.register` talks to). It accepts TOKEN_A, and
 * after the POST the TOKEN_C it issued; it does not call back (nothing of ours depends on it here).
 */
function fakePeer(options: FakePeerOptions = {}) {
  const version = options.version ?? '2.2.1'
  const modern = version !== '2.1.1'
  const tokenA = 'peer-token-a-0123456789'
  const valid = new Set([tokenA])
  let issued = 0
  const accepts = options.accepts ?? 'any'
  const ok = (header: string | null) => {
    for (const token of valid) {
      if (accepts !== 'base64' && header === `Token ${token}`) return true
      if (accepts !== 'raw' && header === `Token ${b64(token)}`) return true
    }
    return false
  }
  const envelope =
    options.envelope ?? ((data: unknown) => ({ data, status_code: 1000, timestamp: '2026-01-01T00:00:00Z' }))
  const business = options.business ?? { name: 'Peer eMSP' }
  const credentialsData = (token: string) =>
    modern
      ? {
          token,
          url: `${PEER}/versions`,
          ...options.answerExtra,
          roles: [{ role: 'EMSP', party_id: 'PEE', country_code: 'DE', business_details: business }],
        }
      : { token, url: `${PEER}/versions`, party_id: 'PEE', country_code: 'DE', business_details: business }
  const fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init)
    const path = new URL(req.url).pathname
    if (!ok(req.headers.get('authorization'))) {
      return options.refuse?.() ?? Response.json({ status_code: 2000, timestamp: 'x' }, { status: 401 })
    }
    if (path === '/ocpi/versions') {
      return Response.json(
        envelope([{ version, url: `${PEER}/${version}` }, ...(options.extraVersions ?? [])]),
      )
    }
    if (path === `/ocpi/${version}`) {
      const role = modern ? { role: 'SENDER' } : {}
      return Response.json(
        envelope({
          version,
          endpoints: [
            { identifier: 'credentials', ...role, url: `${PEER}/${version}/credentials` },
            { identifier: 'tokens', ...role, url: `${PEER}/${version}/tokens` },
            ...(options.extraEndpoints ?? []),
          ],
        }),
      )
    }
    if (path === `/ocpi/${version}/credentials` && (req.method === 'POST' || req.method === 'PUT')) {
      // The token used is consumed (TOKEN_A on POST; the old TOKEN_C on PUT, no grace window).
      for (const token of valid) {
        const header = req.headers.get('authorization')
        if (header === `Token ${token}` || header === `Token ${b64(token)}`) valid.delete(token)
      }
      const next = `peer-token-c-${++issued}-abcdefghijkl`
      valid.add(next)
      return Response.json(envelope(credentialsData(next)))
    }
    return Response.json({ status_code: 2000, timestamp: 'x' }, { status: 404 })
  }
  return { fetch, tokenA, versionsUrl: `${PEER}/versions` }
}

describe('controls: the fake peer itself works', () => {
  it('a conforming peer registers', async () => {
    const peer = fakePeer()
    const { ocpi } = createReceiver({ fetch: peer.fetch })
    await expect(ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })).resolves.toMatchObject(
      {
        state: 'registered',
      },
    )
  })
  it('a raw-only 2.2.1 peer answering 401 to our Base64 try registers (the probe works on 401)', async () => {
    const peer = fakePeer({ accepts: 'raw' })
    const { ocpi } = createReceiver({ fetch: peer.fetch })
    await expect(ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })).resolves.toMatchObject(
      {
        state: 'registered',
      },
    )
  })
})

describe('an endpoint URL the URL policy refuses', () => {
  /** The fake peer, with the details' URL of `identifier` turned into plain http, and `extra` more such. */
  const withHttpEndpoint = (identifier: string, extra = 0) => {
    const peer = fakePeer()
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      const response = await peer.fetch(request)
      if (!request.url.endsWith('/ocpi/2.2.1')) return response
      const json = (await response.json()) as { data: { endpoints: { identifier: string; url: string }[] } }
      for (const e of json.data.endpoints)
        if (e.identifier === identifier) e.url = e.url.replace('https:', 'http:')
      for (let i = 0; i < extra; i++)
        json.data.endpoints.push({ identifier: `x${i}`, url: 'http://10.0.0.1/x' })
      return Response.json(json)
    }
    return { ...peer, fetch }
  }

  it('is left out of an optional module (logged), and the registration goes on', async () => {
    const peer = withHttpEndpoint('tokens')
    const { ocpi, captured } = createReceiver({ fetch: peer.fetch })
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })
    expect(registered.endpoints.map((e) => e.identifier)).toEqual(['credentials'])
    expect(captured.lines.filter((l) => l.includes('left out endpoints'))).toEqual([
      expect.stringContaining('"count":1,"first":[{"identifier":"tokens"'),
    ])
  })

  it('logs one line for all the endpoints it leaves out, however many the peer lists', async () => {
    const peer = withHttpEndpoint('tokens', 2_000)
    const { ocpi, captured } = createReceiver({ fetch: peer.fetch })
    await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })
    expect(captured.lines.filter((l) => l.includes('left out endpoints'))).toEqual([
      expect.stringContaining('"count":2001'),
    ])
  })

  it('refuses the registration when it is the credentials endpoint, or a module the host requires', async () => {
    const credentials = withHttpEndpoint('credentials')
    await expect(
      createReceiver({ fetch: credentials.fetch }).ocpi.register({
        versionsUrl: credentials.versionsUrl,
        token: credentials.tokenA,
      }),
    ).rejects.toMatchObject({ code: 'ERR_OCPI_URL_REFUSED' })
    const tokens = withHttpEndpoint('tokens')
    await expect(
      createReceiver({ fetch: tokens.fetch, requires: [{ module: 'tokens', role: 'SENDER' }] }).ocpi.register(
        {
          versionsUrl: tokens.versionsUrl,
          token: tokens.tokenA,
        },
      ),
    ).rejects.toMatchObject({ code: 'ERR_OCPI_MISSING_ENDPOINTS' })
  })
})

describe('a POST answer whose identity does not parse', () => {
  it('is an unknown outcome that says the answer could not be used (not that it was lost)', async () => {
    const peer = fakePeer()
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      const response = await peer.fetch(request)
      if (request.method !== 'POST') return response
      const json = (await response.json()) as { data: { roles: { party_id: string }[] } }
      for (const role of json.data.roles) role.party_id = 'TOOLONG'
      return Response.json(json)
    }
    const { ocpi } = createReceiver({ fetch })
    const error = await ocpi
      .register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'POST credentials' })
    expect((error as Error).message).toContain('could not be used')
    expect((error as Error).cause).toMatchObject({ code: 'ERR_OCPI_PEER_INVALID_RESPONSE' })
  })
})

describe('outbound (register / rotate): envelope variations', () => {
  it('a peer whose envelopes carry status_code as a string ("1000") can be registered with', async () => {
    const peer = fakePeer({
      envelope: (data) => ({ data, status_code: '1000', status_message: 'Success', timestamp: 'x' }),
    })
    const { ocpi } = createReceiver({ fetch: peer.fetch })
    await expect(ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })).resolves.toMatchObject(
      {
        state: 'registered',
      },
    )
  })

  it('a peer whose envelope timestamp is epoch milliseconds can be registered with (timestamp "not enforced")', async () => {
    const peer = fakePeer({ envelope: (data) => ({ data, status_code: 1000, timestamp: 1767225600000 }) })
    const { ocpi } = createReceiver({ fetch: peer.fetch })
    await expect(ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })).resolves.toMatchObject(
      {
        state: 'registered',
      },
    )
  })
})

describe('business_details variations (cosmetic fields must not break the handshake)', () => {
  for (const [what, business] of [
    ['website: ""', { name: 'Peer eMSP', website: '' }],
    [
      'a logo whose type is a MIME type',
      { name: 'Peer eMSP', logo: { url: `${PEER}/l.png`, category: 'OPERATOR', type: 'image/png' } },
    ],
    ['a logo without category', { name: 'Peer eMSP', logo: { url: `${PEER}/l.png`, type: 'png' } }],
    // The answer arrives after the peer consumed its TOKEN_A: refusing a display name would lose the link.
    ['an empty name', { name: '' }],
    ['a name of 101 characters', { name: 'N'.repeat(101) }],
    ['no name', { website: 'https://peer.example.com' }],
  ] as const) {
    it(`register: the peer's POST answer with ${what} registers`, async () => {
      const peer = fakePeer({ business })
      const { ocpi } = createReceiver({ fetch: peer.fetch })
      await expect(
        ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA }),
      ).resolves.toMatchObject({ state: 'registered' })
    })
  }

  it('rotate: a PUT answer with website "" commits', async () => {
    let business: unknown = { name: 'Peer eMSP' }
    const peer = fakePeer({})
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const req = new Request(input, init)
      const response = await peer.fetch(req)
      if (req.method !== 'PUT' || !req.url.endsWith('/credentials')) return response
      const json = (await response.json()) as { data?: { roles?: { business_details: unknown }[] } }
      for (const role of json.data?.roles ?? []) role.business_details = business
      return Response.json(json, { status: response.status })
    }
    const { ocpi } = createReceiver({ fetch })
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })
    business = { name: 'Peer eMSP', website: '' }
    const outcome = await ocpi.rotate(registered.id).catch((e: unknown) => e)
    const after = await ocpi.client(registered.id).request('tokens', 'SENDER')
    expect(after.status).not.toBe(401)
    expect(outcome).toMatchObject({ state: 'registered' })
  })
})

const server = useMswServer()

describe('answers of a 2.3.0 peer that is no hub', () => {
  it('register: hub_party_id "" in the POST answer is no hub identity, and the link is made', async () => {
    const peer = fakePeer({ version: '2.3.0', answerExtra: { hub_party_id: '' } })
    const { ocpi } = createReceiver({ fetch: peer.fetch })
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })
    expect(registered).toMatchObject({ state: 'registered', version: '2.3.0', hubPartyId: null })
  })
})

describe('one malformed entry among the valid ones in a discovery answer', () => {
  for (const [what, extra] of [
    ['an endpoint with role ""', { extraEndpoints: [{ identifier: 'nltnm-x', role: '', url: `${PEER}/x` }] }],
    ['an endpoint with url null', { extraEndpoints: [{ identifier: 'nltnm-x', role: 'SENDER', url: null }] }],
    ['an endpoint that is no object', { extraEndpoints: ['tariffs'] }],
    ['a versions entry with url null', { extraVersions: [{ version: '3.0', url: null }] }],
  ] as const) {
    it(`${what} is left out, and the registration goes on`, async () => {
      const peer = fakePeer(extra)
      const { ocpi } = createReceiver({ fetch: peer.fetch })
      const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })
      expect(registered.state).toBe('registered')
      expect(registered.endpoints.map((e) => e.identifier)).toEqual(['credentials', 'tokens'])
    })
  }

  it('a malformed credentials endpoint is no credentials endpoint: the registration stops before its POST', async () => {
    const peer = fakePeer({ extraEndpoints: [] })
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const req = new Request(input, init)
      const response = await peer.fetch(req)
      if (!req.url.endsWith('/ocpi/2.2.1')) return response
      const json = (await response.json()) as { data: { endpoints: { identifier: string; url: unknown }[] } }
      for (const e of json.data.endpoints) if (e.identifier === 'credentials') e.url = null
      return Response.json(json)
    }
    const { ocpi } = createReceiver({ fetch })
    await expect(ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })).rejects.toMatchObject({
      code: 'ERR_OCPI_MISSING_ENDPOINTS',
      message: expect.stringContaining('credentials'),
    })
  })
})

describe('receiving a registration POST: business_details variations', () => {
  it('a sender whose business_details has website "" registers', async () => {
    const { ocpi } = createReceiver()
    const { token: tokenA } = await ocpi.invite()
    installSender(server, { version: '2.2.1', token: 'sender-token-b-0123456789' })
    const body = senderCredentials('2.2.1', 'sender-token-b-0123456789') as {
      roles: { business_details: unknown }[]
    }
    for (const role of body.roles) role.business_details = { name: 'Example eMSP', website: '' }
    const response = await call(ocpi.handle, request('POST', '/2.2.1/credentials', { token: tokenA, body }))
    expect(response.body.status_code).toBe(1000)
  })

  it('a sender whose name is empty registers', async () => {
    const { ocpi } = createReceiver()
    const { token: tokenA } = await ocpi.invite()
    installSender(server, { version: '2.2.1', token: 'sender-token-b-0123456789' })
    const body = senderCredentials('2.2.1', 'sender-token-b-0123456789') as {
      roles: { business_details: unknown }[]
    }
    for (const role of body.roles) role.business_details = { name: '' }
    const response = await call(ocpi.handle, request('POST', '/2.2.1/credentials', { token: tokenA, body }))
    expect(response.body.status_code).toBe(1000)
  })

  it('a 2.3.0 sender sending hub_party_id "" registers as no hub', async () => {
    const { ocpi } = createReceiver()
    const { token: tokenA } = await ocpi.invite()
    installSender(server, { version: '2.3.0', token: 'sender-token-b-0123456789' })
    const body = { ...(senderCredentials('2.3.0', 'sender-token-b-0123456789') as object), hub_party_id: '' }
    const response = await call(ocpi.handle, request('POST', '/2.3.0/credentials', { token: tokenA, body }))
    expect(response.body.status_code).toBe(1000)
    const [peer] = await ocpi.listPeers({ state: 'registered' })
    expect(peer?.hubPartyId).toBeNull()
  })
})

describe('the Authorization-form probe: peers that refuse an unknown token with something other than 401', () => {
  // Field reality: ocpi/ocpi#148 (a maintainer advised 403 for an invalid token, the implementer followed),
  // IZIVIA/ocpi-toolkit#46 / PR #55 (400, or HTTP 200 + 2001, before the fix).
  for (const [what, refuse] of [
    ['HTTP 403', () => Response.json({ status_code: 2000, timestamp: 'x' }, { status: 403 })],
    ['HTTP 400', () => Response.json({ status_code: 2001, timestamp: 'x' }, { status: 400 })],
    ['HTTP 200 + OCPI 2001', () => Response.json({ status_code: 2001, timestamp: 'x' }, { status: 200 })],
  ] as const) {
    it(`register with a raw-only 2.2.1 peer answering ${what} to our Base64 try`, async () => {
      const peer = fakePeer({ version: '2.2.1', accepts: 'raw', refuse })
      const { ocpi } = createReceiver({ fetch: peer.fetch })
      await expect(
        ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA }),
      ).resolves.toMatchObject({ state: 'registered' })
    })
  }

  it('register with a 2.2 peer whose list takes Base64 and whose details crash (HTTP 500) on a raw token', async () => {
    // IZIVIA/ocpi-toolkit#125: a Base64 decoder that throws on anything else. A "2.2" peer predates the
    // Base64 rule, so its details are asked raw first: the 500 must be a refusal of the form, not the end.
    const peer = fakePeer({ accepts: 'base64', refuse: () => new Response('boom', { status: 500 }) })
    const forms: string[] = []
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const req = new Request(input, init)
      forms.push(req.headers.get('authorization')?.includes('-') ? 'raw' : 'base64') // our tokens have dashes
      const response = await peer.fetch(req)
      if (!req.url.endsWith('/ocpi/versions') || response.status !== 200) return response
      const json = (await response.json()) as { data: { version: string }[] }
      for (const entry of json.data) entry.version = '2.2'
      return Response.json(json)
    }
    const { ocpi } = createReceiver({ fetch })
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA })
    expect(registered.state).toBe('registered')
    expect(forms.slice(0, 3)).toEqual(['base64', 'raw', 'base64'])
  })

  it('register with encoding set uses that form alone, where the peer takes both on its versions endpoints', async () => {
    const peer = fakePeer({ accepts: 'any' })
    const forms: string[] = []
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const req = new Request(input, init)
      forms.push(req.headers.get('authorization')?.includes('-') ? 'raw' : 'base64') // our tokens have dashes
      return peer.fetch(req)
    }
    const { ocpi } = createReceiver({ fetch })
    const registered = await ocpi.register({
      versionsUrl: peer.versionsUrl,
      token: peer.tokenA,
      encoding: 'raw',
    })
    expect(registered).toMatchObject({ state: 'registered', version: '2.2.1' })
    await ocpi.client(registered.id).request('tokens', 'SENDER')
    expect(new Set(forms)).toEqual(new Set(['raw']))
  })

  it('register with encoding set does not try the other form when the peer refuses it', async () => {
    const peer = fakePeer({ accepts: 'base64' })
    const { ocpi } = createReceiver({ fetch: peer.fetch })
    await expect(
      ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.tokenA, encoding: 'raw' }),
    ).rejects.toMatchObject({ code: 'ERR_OCPI_PEER_HTTP', step: 'GET versions' })
  })

  it('callback discovery of a raw-only 2.2.1 sender answering 403 to Base64', async () => {
    const { ocpi } = createReceiver()
    const { token: tokenA } = await ocpi.invite()
    const tokenB = 'sender-token-b-0123456789'
    installSender(server, { version: '2.2.1', token: tokenB, tokenMode: 'raw-only' })
    // installSender answers 401; make the refusal a 403 instead, as older peers do.
    const { http, HttpResponse } = await import('msw')
    server.use(
      http.get('https://emsp.example.com/ocpi/*', ({ request: r }) =>
        r.headers.get('authorization') === `Token ${tokenB}`
          ? undefined
          : HttpResponse.json({ status_code: 2000, timestamp: 'x' }, { status: 403 }),
      ),
    )
    const response = await call(
      ocpi.handle,
      request('POST', '/2.2.1/credentials', { token: tokenA, body: senderCredentials('2.2.1', tokenB) }),
    )
    expect(response.body.status_code).toBe(1000)
  })
})

describe('requests forwarded by a 2.2.1 hub (routing headers name the party behind the hub)', () => {
  it('a hub link authenticates a request whose OCPI-from-* names a party the hub reaches', async () => {
    const { ocpi } = createReceiver()
    const { token: tokenA } = await ocpi.invite()
    const tokenB = 'hub-token-b-0123456789'
    installSender(server, { version: '2.2.1', token: tokenB })
    // 2.2.1: "A Hub SHALL report only itself, with role HUB" (reference §2.8).
    const body = {
      token: tokenB,
      url: 'https://emsp.example.com/ocpi/versions',
      roles: [{ role: 'HUB', party_id: 'HUB', country_code: 'NL', business_details: { name: 'Hub' } }],
    }
    const posted = await call(ocpi.handle, request('POST', '/2.2.1/credentials', { token: tokenA, body }))
    expect(posted.body.status_code).toBe(1000)
    const tokenC = (posted.body.data as { token: string }).token
    // The hub forwards a request of eMSP DE/ABC: FROM = requesting party, TO = us (reference §3.6).
    const forwarded = new Request('https://cpo.example.com/ocpi/2.2.1/locations', {
      headers: {
        authorization: `Token ${btoa(tokenC)}`,
        'ocpi-from-country-code': 'DE',
        'ocpi-from-party-id': 'ABC',
        'ocpi-to-country-code': 'NL',
        'ocpi-to-party-id': 'EXA',
      },
    })
    const plain = new Request(forwarded.url, {
      headers: { authorization: forwarded.headers.get('authorization') ?? '' },
    })
    expect((await ocpi.authenticate(plain, { module: 'locations' })).ok).toBe(true)
    const result = await ocpi.authenticate(forwarded, { module: 'locations' })
    expect(result.ok).toBe(true)
    // Never one of our own parties, and still a party: a malformed FROM is refused, from a hub too.
    const from = (country: string, party: string) =>
      new Request(forwarded.url, {
        headers: {
          authorization: forwarded.headers.get('authorization') ?? '',
          'ocpi-from-country-code': country,
          'ocpi-from-party-id': party,
        },
      })
    expect((await ocpi.authenticate(from('nl', 'exa'), { module: 'locations' })).ok).toBe(false) // ours
    expect((await ocpi.authenticate(from('DEU', 'ABC'), { module: 'locations' })).ok).toBe(false) // malformed
  })
})

describe('2.3.0 hubs that list every reachable party in roles (reference §2.8)', () => {
  const hubRoles = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      role: i % 2 === 0 ? 'CPO' : 'EMSP',
      party_id: `P${i.toString(36).toUpperCase().padStart(2, '0')}`,
      country_code: 'NL',
      business_details: {
        name: `Charge Point Operator number ${i}`,
        website: `https://operator-${i}.example.com`,
      },
    }))

  const HUB_TOKEN = 'hub-token-b-0123456789'
  const HUB_VERSIONS = 'https://emsp.example.com/ocpi/versions'

  /** A 2.3.0 hub (NLHUB) registering with a fresh receiver, listing `roles`; `put` sends its next PUT. */
  async function registeredHub(roles: readonly unknown[]) {
    const { ocpi } = createReceiver()
    const { token: tokenA } = await ocpi.invite()
    installSender(server, { version: '2.3.0', token: HUB_TOKEN })
    const posted = await call(
      ocpi.handle,
      request('POST', '/2.3.0/credentials', {
        token: tokenA,
        body: { token: HUB_TOKEN, url: HUB_VERSIONS, hub_party_id: 'NLHUB', roles },
      }),
    )
    let tokenC = (posted.body.data as { token?: string } | undefined)?.token ?? ''
    const put = async (body: Record<string, unknown>) => {
      const answer = await call(
        ocpi.handle,
        request('PUT', '/2.3.0/credentials', {
          token: tokenC,
          body: { token: HUB_TOKEN, url: HUB_VERSIONS, ...body },
        }),
      )
      tokenC = (answer.body.data as { token?: string } | undefined)?.token ?? tokenC
      return answer
    }
    return { posted, put }
  }

  it('a registration POST from a hub listing 600 parties is accepted with the default options', async () => {
    const { posted } = await registeredHub(hubRoles(600))
    expect(posted.status).toBe(200)
    expect(posted.body.status_code).toBe(1000)
  })

  it('a hub listing 10,000 parties registers and rotates; one more party is a clear 2001', async () => {
    const many = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        role: 'CPO',
        party_id: i.toString(36).toUpperCase().padStart(3, '0'),
        country_code: 'NL',
        business_details: { name: 'x' },
      }))
    const { posted, put } = await registeredHub(many(10_000))
    expect(posted.body.status_code).toBe(1000)
    // The lock matches 10,000 locked against 10,000 presented parties (indexed: a quadratic match held
    // the event loop for seconds on such a PUT).
    expect((await put({ roles: many(10_000) })).body.status_code).toBe(1000)
    const tooMany = await put({ roles: many(10_001) })
    expect(tooMany.body.status_code).toBe(2001)
    expect(tooMany.body.status_message).toContain('at most 10000 parties')
  })

  it("a hub's PUT that no longer lists a party that left the hub is accepted", async () => {
    const { posted, put } = await registeredHub(hubRoles(3))
    expect(posted.body.status_code).toBe(1000)
    const answer = await put({ hub_party_id: 'NLHUB', roles: hubRoles(2) })
    expect(answer.body.status_message ?? '').not.toMatch(/locked/)
    expect(answer.body.status_code).toBe(1000)
  })
})

describe('HubClientInfo as the spec example sends it (errata: the PUT example lacks last_updated)', () => {
  it('a hub ClientInfo PUT without last_updated is accepted', async () => {
    const world = new World()
    const hub = world.add(
      'hub',
      { role: 'HUB', country_code: 'NL', party_id: 'HUB' },
      { hubClientInfo: { sender: true } },
    )
    const cpo: Platform = world.add(
      'cpo',
      { role: 'CPO', country_code: 'NL', party_id: 'CPO' },
      { hubClientInfo: { receiver: true } },
    )
    const link = await world.link(hub, cpo)
    expect((await hub.ocpi.client(link.onFrom).request('locations', 'SENDER')).status).toBe(200)
    const authorization = cpo.received.at(-1)?.authorization ?? ''
    const response = await cpo.ocpi.handle(
      new Request(`${cpo.origin}/ocpi/2.2.1/hubclientinfo/DE/MSP`, {
        method: 'PUT',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ party_id: 'MSP', country_code: 'DE', role: 'EMSP', status: 'CONNECTED' }),
      }),
    )
    const answer = (await response.json()) as { status_code: number; status_message?: string }
    expect(answer.status_message ?? '').not.toMatch(/last_updated/)
    expect(answer.status_code).toBe(1000)
  })
})

describe('our versions list, read by peers that take the last entry (implementations.md #11)', () => {
  it('lists versions oldest first, as the spec examples do, so a last-entry peer lands on our newest', async () => {
    const { ocpi } = createReceiver()
    const { token } = await ocpi.invite()
    const response = await call(ocpi.handle, request('GET', '/versions', { token }))
    const versions = (response.body.data as { version: string }[]).map((v) => v.version)
    expect(versions.at(-1)).toBe('2.3.0')
  })
})
