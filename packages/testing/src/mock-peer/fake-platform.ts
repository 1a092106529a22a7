/**
 * Test support only (not exported): a tiny hand-written "platform under test" for the mock peer's own
 * tests, with versions, details and credentials endpoints served from a web handler. Deliberately naive
 * and lenient: it is the mock that is under test.
 *
 * @module
 */

import type { MockVersion } from './options.js'

const BASE = 'https://sdk.test/ocpi'

/**
 * A call the fake platform received.
 *
 * @example
 * ```ts
 * expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /versions'])
 * ```
 */
export interface FakeCall {
  readonly method: string
  readonly path: string
  readonly authorization: string | null
  /** The token after decoding, and how it was sent. */
  readonly token: string | null
  readonly encoding: 'raw' | 'base64' | null
  readonly headers: Headers
}

/**
 * Options of {@link createFakePlatform}.
 *
 * @example
 * ```ts
 * const fake = createFakePlatform({ versions: ['2.1.1'], callMock: (r) => peer.fetch(r) })
 * ```
 */
export interface FakePlatformOptions {
  readonly versions?: readonly MockVersion[]
  /** How the fake reaches the mock for its own callback discovery (its POST/PUT handling). */
  readonly callMock?: (request: Request) => Promise<Response>
}

/**
 * The fake platform.
 *
 * @example
 * ```ts
 * const peer = createMockPeer({ baseUrl, fetch: fake.handle })
 * ```
 */
export interface FakePlatform {
  readonly versionsUrl: string
  /** The web handler: pass it as the mock's `fetch`. */
  readonly handle: (request: Request) => Promise<Response>
  readonly calls: FakeCall[]
  /** Tokens the fake accepts (what it gave out). */
  readonly accepted: Set<string>
  /** What the fake knows of its link with the mock. */
  link: { token: string | null; version: string | null; credentials: unknown }
  /** Switches to break the fake: leave credentials out of its details, answer 3000, etc. */
  quirks: {
    detailsWithoutCredentials?: boolean
    omitEchoHeaders?: boolean
    routingHeadersInAnswers?: boolean
    /** Answers a POST/PUT without its callback discovery towards the mock. */
    skipDiscovery?: boolean
    /** Re-fetches with the link's previous token on a PUT, not the one in the body. */
    discoverWithPreviousToken?: boolean
    /** Answers a POST/PUT with the very token the body offered (TOKEN_C = TOKEN_B). */
    answerOfferedToken?: boolean
  }
  /** Issues a TOKEN_A for the mock to register with. */
  invite(): string
  /** Forgets the calls. */
  clear(): void
}

/**
 * Encodes a token for an Authorization header.
 *
 * @example
 * ```ts
 * authorization('abc', 'base64') // 'Token YWJj'
 * ```
 */
export function authorization(token: string, encoding: 'raw' | 'base64'): string {
  return `Token ${encoding === 'raw' ? token : btoa(token)}`
}

/**
 * Creates the fake platform at `https://sdk.test/ocpi`.
 *
 * @example
 * ```ts
 * const fake = createFakePlatform({ versions: ['2.2.1'] })
 * ```
 */
export function createFakePlatform(options: FakePlatformOptions = {}): FakePlatform {
  const versions = options.versions ?? ['2.2.1']
  const fake: FakePlatform = {
    versionsUrl: `${BASE}/versions`,
    calls: [],
    accepted: new Set(),
    link: { token: null, version: null, credentials: null },
    quirks: {},
    invite() {
      const token = `sdk-a-${crypto.randomUUID()}`
      fake.accepted.add(token)
      return token
    },
    clear() {
      fake.calls.length = 0
    },
    async handle(request) {
      const url = new URL(request.url)
      const path = url.pathname.replace('/ocpi', '')
      const header = request.headers.get('authorization')
      const value = header?.startsWith('Token ') === true ? header.slice(6) : null
      let token: string | null = null
      let encoding: 'raw' | 'base64' | null = null
      if (value !== null && fake.accepted.has(value)) [token, encoding] = [value, 'raw']
      else if (value !== null && /^[A-Za-z0-9+/]+=*$/.test(value) && fake.accepted.has(atob(value)))
        [token, encoding] = [atob(value), 'base64']
      fake.calls.push({
        method: request.method,
        path,
        authorization: header,
        token,
        encoding,
        headers: request.headers,
      })
      const echo = new Headers({ 'content-type': 'application/json' })
      if (fake.quirks.omitEchoHeaders !== true)
        for (const name of ['x-request-id', 'x-correlation-id']) {
          const id = request.headers.get(name)
          if (id !== null) echo.set(name, id)
        }
      if (fake.quirks.routingHeadersInAnswers === true) echo.set('ocpi-from-party-id', 'EXA')
      const reply = (status: number, statusCode: number, data?: unknown) =>
        new Response(JSON.stringify({ status_code: statusCode, data, timestamp: new Date().toISOString() }), {
          status,
          headers: echo,
        })
      if (token === null) return reply(401, 2000)
      if (path === '/versions')
        return reply(
          200,
          1000,
          versions.map((v) => ({ version: v, url: `${BASE}/${v}` })),
        )
      const [, version, module] = path.split('/')
      if (version === undefined || !(versions as readonly string[]).includes(version)) return reply(404, 2000)
      if (module === undefined)
        return reply(200, 1000, details(version, fake.quirks.detailsWithoutCredentials === true))
      if (module !== 'credentials') return reply(200, 1000, [])
      if (request.method === 'DELETE') {
        fake.accepted.delete(token)
        fake.link = { token: null, version: null, credentials: null }
        return reply(200, 1000)
      }
      if (request.method === 'POST' && fake.link.token !== null) return reply(405, 2000)
      if (request.method === 'PUT' && fake.link.token === null) return reply(405, 2000)
      const body = (await request.json()) as { token: string; url: string }
      // The fake's own callback discovery towards the mock, with the token from the body.
      if (options.callMock !== undefined && fake.quirks.skipDiscovery !== true) {
        const legacy = version === '2.1.1'
        const with_ =
          request.method === 'PUT' &&
          fake.quirks.discoverWithPreviousToken === true &&
          fake.link.token !== null
            ? fake.link.token
            : body.token
        const init = () => ocpiInit('GET', with_, { legacy, encoding: legacy ? 'raw' : 'base64' })
        const listed = await options.callMock(new Request(body.url, init()))
        if (!listed.ok) return reply(200, 3001)
        await options.callMock(new Request(`${body.url.replace(/\/versions$/, '')}/${version}`, init()))
      }
      fake.accepted.delete(token)
      const issued = fake.quirks.answerOfferedToken === true ? body.token : `sdk-c-${crypto.randomUUID()}`
      fake.accepted.add(issued)
      fake.link = { token: body.token, version, credentials: body }
      return reply(200, 1000, credentials(version, issued))
    },
  }
  return fake
}

function details(version: string, withoutCredentials: boolean): unknown {
  const modern = version !== '2.1.1'
  const endpoints = [
    { identifier: 'credentials', role: 'SENDER', url: `${BASE}/${version}/credentials` },
    { identifier: 'locations', role: 'SENDER', url: `${BASE}/${version}/locations` },
    { identifier: 'tokens', role: 'RECEIVER', url: `${BASE}/${version}/tokens` },
  ]
    .filter((e) => !(withoutCredentials && e.identifier === 'credentials'))
    .map((e) => (modern ? e : { identifier: e.identifier, url: e.url }))
  return { version, endpoints }
}

/**
 * The fake's Credentials (a CPO NL*EXA) in a version's format.
 *
 * @example
 * ```ts
 * credentials('2.1.1', 'tok') // { token: 'tok', url, business_details, party_id: 'EXA', country_code: 'NL' }
 * ```
 */
export function credentials(version: string, token: string): Record<string, unknown> {
  const business_details = { name: 'Fake CPO' }
  if (version === '2.1.1')
    return { token, url: `${BASE}/versions`, business_details, party_id: 'EXA', country_code: 'NL' }
  return {
    token,
    url: `${BASE}/versions`,
    roles: [{ role: 'CPO', business_details, party_id: 'EXA', country_code: 'NL' }],
  }
}

/**
 * A `RequestInit` as a compliant client sends it: the `Token` scheme in the encoding asked for
 * (default Base64), X-Request-ID and X-Correlation-ID unless `legacy`, a JSON body with its Content-Type.
 * `headers` adds or overrides headers (`null` removes one).
 *
 * @example
 * ```ts
 * await peer.fetch(url, ocpiInit('POST', tokenA, { body: credentials('2.2.1', 'b') }))
 * ```
 */
export function ocpiInit(
  method: string,
  token: string,
  options: {
    readonly encoding?: 'raw' | 'base64'
    readonly legacy?: boolean
    readonly body?: unknown
    readonly headers?: Readonly<Record<string, string | null>>
  } = {},
): RequestInit {
  const headers = new Headers({ authorization: authorization(token, options.encoding ?? 'base64') })
  if (options.legacy !== true) {
    headers.set('x-request-id', crypto.randomUUID())
    headers.set('x-correlation-id', crypto.randomUUID())
  }
  if (options.body !== undefined) headers.set('content-type', 'application/json')
  for (const [name, value] of Object.entries(options.headers ?? {}))
    if (value === null) headers.delete(name)
    else headers.set(name, value)
  return { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) }
}
