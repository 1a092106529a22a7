// fast-check arbitraries for malformed and almost-valid OCPI requests: methods, paths, headers,
// Authorization values and bodies, including mutations of a valid Credentials object.
import * as fc from 'fast-check'

export const VERSIONS = ['2.1.1', '2.2.1', '2.3.0'] as const
export type Version = (typeof VERSIONS)[number]

const char = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c))

/** What a header value may carry: printable ASCII, Latin-1 and tabs (no CR, LF or NUL). */
export const headerText = (maxLength = 40) =>
  fc.string({ unit: fc.oneof(char(0x20, 0x7e), char(0x80, 0xff), fc.constant('\t')), maxLength })

/** Any string at all: lone surrogates, control characters, emoji. */
export const anyText = (maxLength = 30) => fc.string({ unit: 'binary', maxLength })

/** A fresh token shaped like the SDK's own (43 URL-safe characters). */
export const freshToken = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)

const b64 = (text: string) => {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** Authorization header values around a token: well-formed, mangled, other schemes, oversized. */
export function authorizationFor(token: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 6, arbitrary: token.map((t) => `Token ${t}`) },
    { weight: 3, arbitrary: token.map((t) => `Token ${b64(t)}`) },
    token.map((t) => `Token ${b64(`${t}\n`)}`),
    token.map((t) => `token    ${t}  `),
    token.map((t) => `Bearer ${t}`),
    token.map((t) => `Basic ${b64(`user:${t}`)}`),
    token.map((t) => t),
    token.map((t) => `Token ${t} ${t}`),
    token.map((t) => `Token ${t}${t}`),
    token.map((t) => `Token ${t.slice(0, -1)}`),
    token.map((t) => `Token ${t.toUpperCase()}`),
    token.map((t) => `Token ${b64(t).replace(/=+$/, '')}`),
    fc.constantFrom(
      'Token',
      'Token ',
      'Token\t',
      '',
      ' ',
      'Token =',
      'Token ====',
      `Token ${'A'.repeat(600)}`,
    ),
    headerText(80),
    fc.constant(undefined),
  )
}

const ORIGINS = [
  'https://cpo.example.com',
  'http://cpo.example.com',
  'https://cpo.example.com:8443',
  'https://evil.example.org',
]

/** Paths under the CPO's base: served routes, near misses and random segments, with odd query strings. */
export const pathArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...VERSIONS).map((v) => `/ocpi/${v}/credentials`) },
      { weight: 3, arbitrary: fc.constant('/ocpi/versions') },
      { weight: 3, arbitrary: fc.constantFrom(...VERSIONS).map((v) => `/ocpi/${v}`) },
      fc.constantFrom(
        '/ocpi/versions/',
        '/ocpi/2.2.1/credentials/',
        '/ocpi/2.2.1//credentials',
        '//ocpi/versions',
        '/OCPI/versions',
        '/ocpi/2.2/credentials',
        '/ocpi/2.0/credentials',
        '/ocpi/3.0.0/credentials',
        '/ocpi/2.2.1/credentials/extra',
        '/ocpi/2.2.1/locations',
        '/ocpi/2.3.0/tokens/NL/CPO/123',
        '/ocpi/',
        '/ocpi',
        '/',
        '/versions',
        '/ocpi/../ocpi/versions',
        '/ocpi/%2e%2e/versions',
        '/ocpi/versions%2F',
        '/ocpi/2.2.1%2Fcredentials',
        '/ocpi/2.2.1/credentials%00',
        '/ocpi/2.2.1/credentials;jsessionid=1',
        '/ocpi/\u00fc/credentials',
        `/ocpi/${'x'.repeat(5_000)}`,
      ),
      fc.array(anyText(12), { minLength: 1, maxLength: 4 }).map((segments) => `/ocpi/${segments.join('/')}`),
    ),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('') },
      fc.constantFrom('?', '?x=1', '?limit=10&offset=-1', '#fragment', '?%zz', '?a=b&a=c'),
      anyText(20).map((q) => `?${encodeURIComponent(q)}`),
    ),
  )
  .map(([path, query]) => `${path}${query}`)

export const originArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(ORIGINS[0] as string) },
  fc.constantFrom(...ORIGINS),
)

/** Request methods the fetch Request accepts, in every spelling that matters. */
export const methodArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
  fc.constantFrom('PATCH', 'HEAD', 'OPTIONS', 'get', 'post', 'Put', 'delete', 'FOO', 'M-SEARCH', 'PROPFIND'),
)

/** Headers besides Authorization and Content-Type: OCPI routing headers, ids, lies about the length. */
export const extraHeadersArb: fc.Arbitrary<[string, string][]> = fc.array(
  fc.oneof(
    fc.tuple(
      fc.constantFrom('ocpi-from-country-code', 'ocpi-to-country-code'),
      fc.oneof(fc.constantFrom('DE', 'NL', 'de', 'XX', 'DEU', ''), headerText(4)),
    ),
    fc.tuple(
      fc.constantFrom('ocpi-from-party-id', 'ocpi-to-party-id'),
      fc.oneof(fc.constantFrom('MSP', 'CPO', 'msp', 'ABCD', ''), headerText(5)),
    ),
    fc.tuple(
      fc.constantFrom('x-request-id', 'x-correlation-id'),
      fc.oneof(headerText(20), fc.constant('r'.repeat(300))),
    ),
    fc.tuple(fc.constant('content-length'), fc.constantFrom('0', '1', '-1', 'abc', '99999999999', '1e3')),
    fc.tuple(
      fc.constantFrom('accept', 'accept-encoding', 'cookie', 'x-forwarded-host', 'host'),
      headerText(20),
    ),
    fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), headerText(30)),
  ),
  { maxLength: 4 },
)

export const contentTypeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  fc.constantFrom(
    undefined,
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/vnd.ocpi+json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-16',
    '*/*',
  ),
  headerText(20),
)

// ---------------------------------------------------------------------------------------------------------
// Bodies.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** URLs for the `url` field: reachable in shape (but every call fails), refused by policy, or not URLs. */
export const peerUrlArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant('https://emsp.example.com/ocpi/versions') },
  { weight: 1, arbitrary: fc.constant('https://partner.example.net/ocpi/versions') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'https://10.0.0.7/ocpi/versions',
      'https://127.0.0.1/ocpi/versions',
      'https://[::1]/ocpi/versions',
      'https://[fd00::1]/ocpi/versions',
      'https://169.254.169.254/latest/meta-data',
      'https://192.168.1.1/versions',
      'https://100.64.0.1/versions',
      'https://0x7f.1/versions',
      'https://2130706433/versions',
      'https://localhost/ocpi/versions',
      'https://emsp.localhost/ocpi/versions',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'http://emsp.example.com/ocpi/versions',
      'https://user:pass@emsp.example.com/ocpi/versions',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ftp://emsp.example.com/versions',
      'not a url',
      '',
      ' ',
      `https://${'a'.repeat(2_100)}.example.com/versions`,
    ),
  },
)

/** Values that break a field: wrong types, empty, too long, odd unicode. */
const breakingValueArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    '',
    ' ',
    [],
    {},
    'ABCD',
    'NLD',
    'N',
    '12',
    'ÄB',
    'N\u0301L',
  ),
  fc.constantFrom<Json>('\u0000', '🚗🚗', '\ud800', 'x'.repeat(101), 'y'.repeat(256), 'z'.repeat(3_000)),
  anyText(20),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
)

/** Tokens for the `token` field: valid fresh ones, the pool's (TOKEN_A, link tokens), invalid ones. */
export function bodyTokenArb(pool: readonly string[]): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 4, arbitrary: freshToken },
    { weight: 3, arbitrary: fc.constantFrom(...pool) },
    fc.constantFrom<Json>('', ' ', 'a b', 'tök\u00e9n-with-unicode', `${'t'.repeat(256)}`, 12345, null),
  )
}

const partyArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ country_code: 'DE', party_id: 'MSP' }) },
  fc.constantFrom(
    { country_code: 'de', party_id: 'msp' },
    { country_code: 'NL', party_id: 'CPO' },
    { country_code: 'FR', party_id: 'XYZ' },
    { country_code: 'DEU', party_id: 'MSP' },
    { country_code: 'DE', party_id: 'MSPX' },
  ),
)

const businessDetailsArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Json>({ name: 'Example eMSP' }) },
  fc.constantFrom<Json>(
    { name: 'Example eMSP', website: 'https://emsp.example.com' },
    {
      name: 'Example eMSP',
      logo: { url: 'https://emsp.example.com/logo.png', category: 'OPERATOR', type: 'png', width: 10 },
    },
    { name: 'Example eMSP', logo: { url: '', category: '', type: 'toolong' } },
  ),
)

/** A Credentials object in one version's wire format (valid unless its pieces say otherwise). */
export function credentialsArb(
  pool: readonly string[],
  shape: fc.Arbitrary<Version> = fc.constantFrom(...VERSIONS),
): fc.Arbitrary<Json> {
  return fc
    .record({
      shape,
      token: bodyTokenArb(pool),
      url: peerUrlArb,
      party: partyArb,
      business_details: businessDetailsArb,
      role: fc.oneof(
        { weight: 4, arbitrary: fc.constant('EMSP') },
        fc.constantFrom('CPO', 'HUB', 'PTP', 'emsp', ''),
      ),
      hub: fc.constantFrom(undefined, 'DEMSP', 'D', null),
    })
    .map(({ shape, token, url, party, business_details, role, hub }): Json => {
      if (shape === '2.1.1') return { token, url, business_details, ...party }
      const roles: Json = [{ role, business_details, ...party }]
      return hub === undefined || shape === '2.2.1'
        ? { token, url, roles }
        : { token, url, hub_party_id: hub, roles }
    })
}

/** Every path (keys and indices) of a JSON value's nodes below the root. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return []
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value)
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])])
}

function containerAt(root: Json, path: (string | number)[]): Json {
  let node = root
  for (const key of path) node = (node as Record<string | number, Json>)[key] as Json
  return node
}

/** A mutation of a JSON value: which node (an index into its paths), what to do, with what. */
interface Mutation {
  readonly op: 'delete' | 'replace' | 'add' | 'duplicate-array-item'
  readonly at: number
  readonly key: string
  readonly value: Json
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('delete', 'replace', 'replace', 'add', 'duplicate-array-item'),
  at: fc.nat(),
  key: fc.oneof(fc.constantFrom('constructor', 'toString', 'token', 'url', 'extra', 'roles'), anyText(8)),
  value: breakingValueArb,
})

function applyMutation(input: Json, mutation: Mutation): Json {
  const root = structuredClone(input)
  const paths = pathsOf(root)
  if (mutation.op === 'add') {
    const containers = [[], ...paths].filter((p) => {
      const node = containerAt(root, p)
      return node !== null && typeof node === 'object' && !Array.isArray(node)
    })
    const target = containerAt(root, containers[mutation.at % containers.length] ?? []) as Record<
      string,
      Json
    >
    Object.defineProperty(target, mutation.key, { value: mutation.value, enumerable: true, writable: true })
    return root
  }
  if (paths.length === 0) return mutation.value
  const path = paths[mutation.at % paths.length] as (string | number)[]
  const parent = containerAt(root, path.slice(0, -1)) as Record<string | number, Json>
  const key = path.at(-1) as string | number
  if (mutation.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1)
    else delete parent[key]
  } else if (mutation.op === 'duplicate-array-item') {
    if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number] as Json))
    else parent[key] = [parent[key] as Json, parent[key] as Json]
  } else {
    parent[key] = mutation.value
  }
  return root
}

/** An almost-valid Credentials object: a valid one with zero to three mutations. */
export function mutatedCredentialsArb(
  pool: readonly string[],
  shape?: fc.Arbitrary<Version>,
): fc.Arbitrary<Json> {
  return fc
    .tuple(
      credentialsArb(pool, shape),
      fc.oneof(
        { weight: 2, arbitrary: fc.constant([]) },
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
      ),
    )
    .map(([valid, mutations]) => mutations.reduce(applyMutation, valid))
}

/** A body of exactly `bytes` bytes of JSON (a string), over any cap the SDK has. */
const hugeJson = (bytes: number) => JSON.stringify('h'.repeat(bytes - 2))

/** Request bodies: absent, empty, not JSON, not UTF-8, huge, random JSON, almost-valid Credentials. */
export function bodyArb(pool: readonly string[]): fc.Arbitrary<string | Uint8Array<ArrayBuffer> | undefined> {
  const asText = (value: Json) => JSON.stringify(value)
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 10, arbitrary: mutatedCredentialsArb(pool).map(asText) },
    {
      weight: 2,
      arbitrary: mutatedCredentialsArb(pool).map((c) =>
        asText(c).replace(/^\{/, '{"__proto__":{"polluted":true},'),
      ),
    },
    { weight: 2, arbitrary: (fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>).map(asText) },
    fc.constantFrom(
      '',
      '{',
      '{"token":',
      'null',
      'true',
      '[]',
      '"token"',
      '1e999',
      '{"a":1}{',
      '\ufeff{}',
      '{"token":"a"',
      'NaN',
    ),
    anyText(40),
    fc.constantFrom(
      new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]),
      new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]),
      new Uint8Array(0),
    ),
    fc.constantFrom(hugeJson(64 * 1024 + 1), hugeJson(200 * 1024)),
  )
}

/** A request as generated, before it becomes a fetch `Request`. */
export interface GeneratedRequest {
  readonly method: string
  readonly url: string
  readonly headers: readonly (readonly [string, string])[]
  readonly body: string | Uint8Array<ArrayBuffer> | undefined
}

/** Builds the fetch `Request` (GET and HEAD lose their body: a fetch Request cannot carry one). */
export function toRequest(generated: GeneratedRequest): Request {
  const noBody = ['GET', 'HEAD'].includes(generated.method.toUpperCase())
  return new Request(generated.url, {
    method: generated.method,
    headers: generated.headers.map(([name, value]): [string, string] => [name, value]),
    ...(noBody || generated.body === undefined ? {} : { body: generated.body }),
  })
}

/** Assembles a request from its parts; `authorization` and `contentType` are left out when undefined. */
export function assemble(parts: {
  method: string
  url: string
  authorization: string | undefined
  contentType: string | undefined
  headers: readonly [string, string][]
  body: string | Uint8Array<ArrayBuffer> | undefined
}): GeneratedRequest {
  const headers: [string, string][] = [...parts.headers]
  if (parts.authorization !== undefined) headers.push(['authorization', parts.authorization])
  if (parts.contentType !== undefined) headers.push(['content-type', parts.contentType])
  // Upper-casing can leave Latin-1 (`µ` → `Μ`); header values are byte strings.
  const bytes = headers.map(([name, value]): [string, string] => [
    name,
    value.replace(/[^\t\x20-\xff]/g, '?'),
  ])
  return { method: parts.method, url: parts.url, headers: bytes, body: parts.body }
}

/** A short, printable description of a request for failure messages (no body bytes beyond 200). */
export function describeRequest(generated: GeneratedRequest): string {
  const body =
    generated.body === undefined
      ? '(no body)'
      : typeof generated.body === 'string'
        ? JSON.stringify(generated.body.slice(0, 200))
        : `bytes ${[...generated.body].join(',')}`
  return `${generated.method} ${generated.url.slice(0, 200)} ${JSON.stringify(generated.headers)} ${body}`
}
