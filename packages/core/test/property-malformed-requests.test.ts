// Property: whatever arrives at an endpoint the SDK serves (ocpi.handle, ocpi.authenticate, the admin
// API), the answer is well formed, never a 500 nor an exception, and the store is left exactly as it was.
//
// How valid state-changing requests are kept out (see fuzz-target.ts): the target's clock stands still
// (contact times written before the properties ran are not moved again: `touchContact` keeps the later
// time) and every outbound call of the target fails, so no POST or PUT can complete (each needs a
// discovery first) and no admin registration or rotation can either. What remains is excluded by the
// generators: credentials DELETEs never carry a link token (current, previous, pending rotation), the
// admin API's DELETE and revocation only name unknown peers or peers in a state where they are refused,
// and admin invitation and rotation bodies always carry at least one defect. The current tokens that
// superseded a token in its grace window are not in the pool either: their first use ends the window.
//
// Reproduce a failure with the seed fast-check prints: FC_SEED=<seed> npx vitest run <this file>.
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminHandler, OcpiStatus } from '../src/index.js'
import { buildFuzzTarget, type FuzzTarget } from './fuzz-target.js'
import {
  anyText,
  assemble,
  authorizationFor,
  bodyArb,
  contentTypeArb,
  describeRequest,
  extraHeadersArb,
  freshToken,
  type GeneratedRequest,
  headerText,
  methodArb,
  mutatedCredentialsArb,
  originArb,
  pathArb,
  peerUrlArb,
  toRequest,
  VERSIONS,
} from './property-arbitraries.js'

const seed = Number(process.env['FC_SEED'] ?? 20_261_123)
/** Generated requests per property; at least 10 000 in all. */
const RUNS = { handle: 6_000, authenticate: 2_000, adminRefused: 500, admin: 2_000 } as const
const MIN_REQUESTS = 10_000

let target: FuzzTarget
let before: string
let sent = 0

beforeAll(async () => {
  target = await buildFuzzTarget()
  before = target.snapshot()
}, 30_000)

afterAll(async () => {
  await target.release()
})

/** The state must not have moved; names the request when it did. */
function expectStateUnchanged(request: GeneratedRequest | string) {
  const after = target.snapshot()
  if (after !== before) {
    const changed = diffLines(before, after)
    throw new Error(
      `the store changed after ${typeof request === 'string' ? request : describeRequest(request)}: ${changed}`,
    )
  }
}

/** Which records differ between two snapshots (peer ids and token digests are not secrets). */
function diffLines(a: string, b: string): string {
  const records = (s: string) =>
    new Map(
      s
        .split('\n')
        .flatMap((line) => JSON.parse(line) as [string, unknown][][])
        .flat()
        .map(([key, value]) => [key, JSON.stringify(value)]),
    )
  const [x, y] = [records(a), records(b)]
  const keys = new Set([...x.keys(), ...y.keys()])
  return [...keys]
    .filter((k) => x.get(k) !== y.get(k))
    .map((k) => `${k}: ${x.get(k) ?? '(none)'} -> ${y.get(k) ?? '(none)'}`)
    .join('; ')
}

const tokenArb = () =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...target.tokens) },
    { weight: 1, arbitrary: freshToken.map((token) => ({ name: 'unknown', token, link: false })) },
    { weight: 1, arbitrary: headerText(30).map((token) => ({ name: 'garbage', token, link: false })) },
  )

// ---------------------------------------------------------------------------------------------------------
// ocpi.handle

const OCPI_4XX = [400, 401, 404, 405, 413]
const OCPI_200_CODES: number[] = [
  OcpiStatus.SUCCESS,
  OcpiStatus.INVALID_PARAMETERS,
  OcpiStatus.NOT_ENOUGH_INFORMATION,
  OcpiStatus.SERVER_ERROR,
  OcpiStatus.UNABLE_TO_USE_CLIENT_API,
  OcpiStatus.UNSUPPORTED_VERSION,
  OcpiStatus.NO_MATCHING_ENDPOINTS,
]

/** An OCPI answer: JSON envelope, timestamp of the target's clock, HTTP status and status code agreeing. */
async function expectOcpiEnvelope(response: Response, generated: GeneratedRequest) {
  const context = describeRequest(generated)
  expect(response, context).toBeInstanceOf(Response)
  expect(response.headers.get('content-type'), context).toBe('application/json')
  expect(response.headers.get('x-request-id'), context).toBeTruthy()
  const text = await response.text()
  // The handler answers HEAD as GET without the body (a host's module may answer one: HTTP drops it):
  // the status and headers are the checks left.
  if (generated.method.toUpperCase() === 'HEAD' && text === '') {
    expect([200, ...OCPI_4XX], context).toContain(response.status)
    return
  }
  const body = JSON.parse(text) as Record<string, unknown>
  expect(
    Object.keys(body).filter((k) => !['data', 'status_code', 'status_message', 'timestamp'].includes(k)),
    context,
  ).toEqual([])
  expect(Number.isInteger(body['status_code']), context).toBe(true)
  expect(body['timestamp'], context).toBe(target.timestamp)
  if (body['status_message'] !== undefined) expect(typeof body['status_message'], context).toBe('string')
  const code = body['status_code'] as number
  if (response.status === 200) {
    expect(OCPI_200_CODES, context).toContain(code)
    // Nothing that writes can succeed here: only reads answer 1000.
    if (code === OcpiStatus.SUCCESS) expect(generated.method.toUpperCase(), context).toBe('GET')
    else expect(body['data'], context).toBeUndefined()
  } else {
    expect(OCPI_4XX, context).toContain(response.status)
    expect(code, context).toBe(OcpiStatus.CLIENT_ERROR)
    expect(body['data'], context).toBeUndefined()
  }
  if (response.status === 401) expect(response.headers.get('www-authenticate'), context).toBe('Token')
  const allow = response.headers.get('allow')
  if (allow !== null)
    expect(['GET, HEAD', 'GET, HEAD, POST, PUT, DELETE', 'GET, HEAD, PUT'], context).toContain(allow)
}

/** Anything: any origin, path, method, token form, headers and body. */
const wildRequestArb = () =>
  fc
    .record({
      origin: originArb,
      path: pathArb,
      method: methodArb,
      token: tokenArb(),
      contentType: contentTypeArb,
      headers: extraHeadersArb,
      body: bodyArb(target.tokens.map((t) => t.token)),
    })
    .chain((parts) =>
      authorizationFor(fc.constant(parts.token.token)).map((authorization) => ({ ...parts, authorization })),
    )

/**
 * Aimed past the first checks: a credentials endpoint, a well-formed Authorization header with a token
 * of the pool, and mostly an almost-valid Credentials body, so that body parsing, the identity lock, the
 * URL policy and the (failing) discovery all see generated input.
 */
const aimedRequestArb = () => {
  const pool = target.tokens.map((t) => t.token)
  const invitations = target.tokens.filter((t) => t.name.includes('TOKEN_A'))
  const links = target.tokens.filter((t) => t.link)
  const tokenFor = (method: string) =>
    method === 'POST'
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...invitations) }, fc.constantFrom(...target.tokens))
      : method === 'PUT'
        ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...links) }, fc.constantFrom(...target.tokens))
        : fc.constantFrom(...target.tokens)
  return fc
    .record({
      version: fc.constantFrom(...VERSIONS),
      slash: fc.constantFrom('', '', '', '/'),
      method: fc.constantFrom('POST', 'POST', 'PUT', 'PUT', 'GET', 'DELETE'),
      encoding: fc.constantFrom('raw', 'base64'),
      contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, contentTypeArb),
      headers: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, extraHeadersArb),
    })
    .chain((parts) =>
      fc
        .record({
          token: tokenFor(parts.method),
          body: fc.oneof(
            {
              weight: 6,
              arbitrary: mutatedCredentialsArb(
                pool,
                fc.oneof({ weight: 4, arbitrary: fc.constant(parts.version) }, fc.constantFrom(...VERSIONS)),
              ).map((c) => JSON.stringify(c)),
            },
            bodyArb(pool),
          ),
        })
        .map(({ token, body }) => ({
          origin: 'https://cpo.example.com',
          path: `/ocpi/${parts.version}/credentials${parts.slash}`,
          method: parts.method,
          token,
          contentType: parts.contentType,
          headers: parts.headers,
          body,
          authorization: `Token ${parts.encoding === 'raw' ? token.token : btoa(token.token)}`,
        })),
    )
}

const handleRequestArb = () =>
  fc
    .oneof(wildRequestArb(), aimedRequestArb())
    // A DELETE with a link token is a legitimate unregistration: left to the two-platform properties.
    .filter((parts) => !(parts.token.link && parts.method.toUpperCase() === 'DELETE'))
    .map((parts) =>
      assemble({
        method: parts.method,
        url: `${parts.origin}${parts.path}`,
        authorization: parts.authorization,
        contentType: parts.contentType,
        headers: parts.headers,
        body: parts.body,
      }),
    )

describe('ocpi.handle answers every generated request with a well-formed envelope and changes nothing', () => {
  it(`${RUNS.handle} requests: versions, details, credentials GET/POST/PUT/DELETE of every version, unknown paths`, async () => {
    await fc.assert(
      fc.asyncProperty(handleRequestArb(), async (generated) => {
        sent++
        const response = await target.cpo.ocpi.handle(toRequest(generated))
        await expectOcpiEnvelope(response, generated)
        expectStateUnchanged(generated)
      }),
      { seed, numRuns: RUNS.handle },
    )
    // Every POST and PUT that passed validation tried a discovery, and each one failed.
    expect(target.outboundCalls()).toBeGreaterThan(0)
  }, 120_000)
})

// ---------------------------------------------------------------------------------------------------------
// ocpi.authenticate

const MODULE_PATHS = [
  ...VERSIONS.map((v) => `/ocpi/${v}/locations`),
  '/ocpi/2.2.1/locations/NL/CPO/LOC1',
  '/ocpi/2.2.1/tokens',
  '/ocpi/2.2.1/credentials',
  '/ocpi/versions',
]

const authenticateArb = () =>
  fc
    .record({
      light: fc.boolean(),
      origin: originArb,
      path: fc.oneof(fc.constantFrom(...MODULE_PATHS), pathArb),
      method: methodArb,
      token: tokenArb(),
      headers: extraHeadersArb,
      module: fc.oneof(fc.constantFrom('locations', 'tokens', 'sessions', ''), anyText(12)),
    })
    .chain((parts) =>
      authorizationFor(fc.constant(parts.token.token)).map((authorization) => ({ ...parts, authorization })),
    )

/** What a binding passes instead of a Request: method, URL and a header getter. */
function lightRequest(generated: GeneratedRequest) {
  const headers = new Headers(generated.headers.map(([name, value]): [string, string] => [name, value]))
  return {
    method: generated.method,
    url: generated.url,
    headers: { get: (name: string) => headers.get(name) },
  }
}

describe('ocpi.authenticate answers every generated request with the peer or a 401 envelope', () => {
  it(`${RUNS.authenticate} requests to the host's modules: Request objects and the bindings' light objects`, async () => {
    await fc.assert(
      fc.asyncProperty(authenticateArb(), async (parts) => {
        sent++
        const generated = assemble({
          method: parts.method,
          url: `${parts.origin}${parts.path}`,
          authorization: parts.authorization,
          contentType: undefined,
          headers: parts.headers,
          body: undefined,
        })
        const context = `${describeRequest(generated)} (${parts.token.name})`
        const request = parts.light ? lightRequest(generated) : toRequest(generated)
        const result = await target.cpo.ocpi.authenticate(request, { module: parts.module })
        if (result.ok) {
          // Only a link token authenticates, and OCPI-from-*, when sent, names the link's party.
          expect(parts.token.link, context).toBe(true)
          expect(
            result.peer.parties.map((p) => `${p.country_code}*${p.party_id}`),
            context,
          ).toEqual(['DE*MSP'])
          const from = new Headers(generated.headers.map(([name, value]): [string, string] => [name, value]))
          const claimed = [from.get('ocpi-from-country-code'), from.get('ocpi-from-party-id')]
          if (claimed.some((v) => v !== null)) {
            expect(
              claimed.map((v) => v?.toUpperCase()),
              context,
            ).toEqual(['DE', 'MSP'])
          }
        } else {
          expect(result.response.status, context).toBe(401)
          await expectOcpiEnvelope(result.response, generated)
        }
        expectStateUnchanged(context)
      }),
      { seed, numRuns: RUNS.authenticate },
    )
  }, 60_000)

  // A binding may build the URL from the Host header without checking it (the Express middleware does:
  // `http://${req.headers.host}${req.originalUrl}`), and a refusal names the path in its event: a URL that
  // does not parse turns the 401 into a 500 (no token) or a rejected promise (a cached token whose
  // OCPI-from-* is wrong).
  it('a request whose URL does not parse (a malformed Host header) is refused with a 401, not a 500', async () => {
    const result = await target.cpo.ocpi.authenticate(
      { method: 'GET', url: 'http://exa mple.com/ocpi/2.2.1/locations', headers: { get: () => null } },
      { module: 'locations' },
    )
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.response.status).toBe(401)
  })
})

// ---------------------------------------------------------------------------------------------------------
// The admin API

const ADMIN_ERROR_STATUSES = [400, 401, 404, 405, 409, 413, 502]

async function expectAdminAnswer(response: Response, context: string, expectedStatus?: number) {
  expect(response.headers.get('content-type'), context).toBe('application/json')
  expect(response.headers.get('cache-control'), context).toBe('no-store')
  const body = JSON.parse(await response.text()) as Record<string, unknown>
  if (expectedStatus !== undefined) expect(response.status, context).toBe(expectedStatus)
  if (response.status >= 200 && response.status < 300) {
    // Only reads succeed here (see the file comment).
    expect(context.toUpperCase().startsWith('GET '), context).toBe(true)
    return
  }
  expect(ADMIN_ERROR_STATUSES, context).toContain(response.status)
  expect(
    Object.keys(body).filter((k) => !['code', 'message', 'step'].includes(k)),
    context,
  ).toEqual([])
  expect(body['code'], context).toMatch(/^ERR_OCPI_[A-Z_]+$/)
  expect(typeof body['message'], context).toBe('string')
  if (body['step'] !== undefined) expect(typeof body['step'], context).toBe('string')
  if (response.status === 405) expect(response.headers.get('allow'), context).toBeTruthy()
}

/** JSON bodies that break the admin API's strict schemas: each has at least one defect. */
const brokenObject = (allowed: readonly string[], broken: readonly Record<string, unknown>[]) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...broken), fc.constant({})).map(([b]) => b),
    anyText(10).map((key) => ({ [`x_${key}`]: 1 })),
    fc.constantFrom<unknown>([], 1, 'x', null, true, [{}]),
    fc.constant(Object.fromEntries(allowed.map((k) => [k, { nested: true }]))),
  )

const brokenInvitation = brokenObject(
  ['expires_in_seconds', 'expected_parties', 'as'],
  [
    { expires_in_seconds: 0 },
    { expires_in_seconds: -5 },
    { expires_in_seconds: 1.5 },
    { expires_in_seconds: '3600' },
    { expires_in_seconds: 365 * 24 * 3600 + 1 },
    { expiresInSeconds: 60 },
    { expected_parties: [] },
    { expected_parties: 'DE*MSP' },
    { expected_parties: [{ country_code: 'DEU', party_id: 'MSP' }] },
    { expected_parties: [{ country_code: 'DE', party_id: 'MSP', extra: 1 }] },
    { expected_parties: [{ country_code: 'DE' }] },
    { expected_parties: Array.from({ length: 101 }, () => ({ country_code: 'DE', party_id: 'MSP' })) },
    { as: { country_code: 'XX', party_id: 'ZZZ' } },
    { as: { country_code: 'NL' } },
    { as: null },
  ],
)

const brokenRotation = brokenObject(
  ['version'],
  [{ version: '2.2' }, { version: 2.2 }, { version: null }, { version: '' }, { version: '2.2.1', extra: 1 }],
)

const anyRegistration = fc.oneof(
  fc.record({ versions_url: peerUrlArb, token: fc.oneof(freshToken, anyText(20)) }),
  fc.record({
    versions_url: peerUrlArb,
    token: freshToken,
    as: fc.constantFrom({ country_code: 'NL', party_id: 'CPO' }, { country_code: 'XX', party_id: 'ZZZ' }),
  }),
  brokenObject(
    ['versions_url', 'token', 'as'],
    [{ versions_url: 1, token: 'x' }, { token: 'x' }, { versions_url: '' }],
  ),
)

/** A JSON body as sent: declared JSON, or declared otherwise, or not JSON, or too large. */
const sentBody = (json: fc.Arbitrary<unknown>) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: json.map((value) => ({ body: JSON.stringify(value), type: 'application/json' })),
    },
    json.map((value) => ({ body: JSON.stringify(value), type: 'application/merge-patch+json' })),
    json.map((value) => ({ body: JSON.stringify(value) || 'null', type: 'text/plain' })),
    fc
      .constantFrom('{', '{"version":', '\ufeff{', 'NaN', '{}{}')
      .map((body) => ({ body, type: 'application/json' })),
    fc.constant({ body: JSON.stringify({ x: 'h'.repeat(17 * 1024) }), type: 'application/json' }),
  )

/** Any body at all, including none (for routes where no body can make the request valid). */
const anyAdminBody = fc.oneof(
  fc.constant({ body: undefined, type: undefined }),
  sentBody(fc.jsonValue({ maxDepth: 2 })),
  anyText(20).map((body) => ({ body, type: 'application/json' })),
)

const PREFIXES = ['/admin', '', '/api/v1/admin', '/admin/']
const OTHER_METHODS = (allowed: readonly string[]) =>
  fc.constantFrom(
    ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'].filter((m) => !allowed.includes(m)),
  )

interface AdminCase {
  readonly method: string
  readonly tail: string
  readonly body: { body: string | undefined; type: string | undefined }
}

const adminCaseArb = (): fc.Arbitrary<AdminCase> => {
  const registered = target.peers.filter((p) => p.state === 'registered').map((p) => encodeURIComponent(p.id))
  const refusedStates = target.peers
    .filter((p) => p.state !== 'registered')
    .map((p) => encodeURIComponent(p.id))
  const unknownId = fc.oneof(
    fc.uuid(),
    anyText(12).map((s) => encodeURIComponent(s) || 'x'),
    fc.constantFrom('%E0%A4%A', '%zz', '%', '..', 'a%2Fb', 'peers', 'rotation', '%00'),
  )
  const notRegisteredId = fc.oneof(unknownId, fc.constantFrom(...refusedStates))
  const anyId = fc.oneof(notRegisteredId, fc.constantFrom(...registered))
  const query = fc.oneof(
    fc.constant(''),
    fc.constantFrom(
      '?state=registered',
      '?state=bogus',
      '?limit=0',
      '?limit=1001',
      '?limit=abc',
      '?limit=5&limit=6',
    ),
    fc.constantFrom('?after=', '?unknown=1', `?after=${'a'.repeat(300)}`, '?limit=1'),
    anyText(20).map((q) => `?${q}`),
  )
  const kase = (
    method: fc.Arbitrary<string>,
    tail: fc.Arbitrary<string>,
    body: fc.Arbitrary<AdminCase['body']>,
  ) => fc.record({ method, tail, body })
  return fc.oneof(
    kase(fc.constant('POST'), fc.constant('/invitations'), sentBody(brokenInvitation)),
    kase(OTHER_METHODS(['POST']), fc.constant('/invitations'), anyAdminBody),
    kase(fc.constant('POST'), fc.constant('/registrations'), sentBody(anyRegistration)),
    kase(OTHER_METHODS(['POST']), fc.constant('/registrations'), anyAdminBody),
    kase(
      fc.constant('GET'),
      query.map((q) => `/peers${q}`),
      anyAdminBody,
    ),
    kase(OTHER_METHODS(['GET']), fc.constant('/peers'), anyAdminBody),
    kase(
      fc.constant('GET'),
      anyId.map((id) => `/peers/${id}`),
      anyAdminBody,
    ),
    kase(
      fc.constant('DELETE'),
      notRegisteredId.map((id) => `/peers/${id}`),
      anyAdminBody,
    ),
    kase(
      OTHER_METHODS(['GET', 'DELETE']),
      anyId.map((id) => `/peers/${id}`),
      anyAdminBody,
    ),
    kase(
      fc.constant('POST'),
      notRegisteredId.map((id) => `/peers/${id}/rotation`),
      anyAdminBody,
    ),
    kase(
      fc.constant('POST'),
      fc.constantFrom(...registered).map((id) => `/peers/${id}/rotation`),
      sentBody(brokenRotation),
    ),
    kase(
      OTHER_METHODS(['POST']),
      anyId.map((id) => `/peers/${id}/rotation`),
      anyAdminBody,
    ),
    kase(
      fc.constant('POST'),
      unknownId.map((id) => `/peers/${id}/revocation`),
      anyAdminBody,
    ),
    kase(
      OTHER_METHODS(['POST']),
      anyId.map((id) => `/peers/${id}/revocation`),
      anyAdminBody,
    ),
    kase(
      methodArb,
      anyText(20).map((s) => `/${encodeURIComponent(s)}`),
      anyAdminBody,
    ),
  )
}

const adminRequestArb = (cases: fc.Arbitrary<AdminCase>) =>
  fc
    .record({
      kase: cases,
      prefix: fc.constantFrom(...PREFIXES),
      slash: fc.boolean(),
      token: tokenArb(),
      headers: extraHeadersArb,
    })
    .chain((parts) =>
      fc
        .oneof(authorizationFor(fc.constant(parts.token.token)), fc.constant(`Bearer ${parts.token.token}`))
        .map((authorization) => ({ ...parts, authorization })),
    )
    .map(({ kase, prefix, slash, authorization, headers }) => {
      const [path, query = ''] = kase.tail.split(/(?=\?)/)
      return assemble({
        method: kase.method,
        url: `https://cpo.example.com${prefix}${path}${slash ? '/' : ''}${query}`,
        authorization,
        contentType: kase.body.type,
        headers,
        body: kase.body.body,
      })
    })

describe('the admin API answers every generated request with its JSON error shape and changes nothing', () => {
  const ADMIN_SECRET = 'admin-secret-that-no-generator-produces-7f3a9c'

  it(`${RUNS.adminRefused} requests, any route, refused by authorize before anything else (401)`, async () => {
    const admin = createAdminHandler(target.cpo.ocpi, {
      authorize: (request) => request.headers.get('authorization') === `Bearer ${ADMIN_SECRET}`,
    })
    // Every route and method, valid bodies included: nothing may run before authorize.
    const anyCase = fc.record({
      method: methodArb,
      tail: fc.oneof(
        fc.constantFrom('/invitations', '/registrations', '/peers'),
        fc.constantFrom(...target.peers).map((p) => `/peers/${p.id}`),
        fc.constantFrom(...target.peers).map((p) => `/peers/${p.id}/revocation`),
        fc.constantFrom(...target.peers).map((p) => `/peers/${p.id}/rotation`),
      ),
      body: anyAdminBody,
    })
    await fc.assert(
      fc.asyncProperty(adminRequestArb(anyCase), async (generated) => {
        sent++
        const context = describeRequest(generated)
        const response = await admin(toRequest(generated))
        await expectAdminAnswer(response, context, 401)
        expectStateUnchanged(generated)
      }),
      { seed, numRuns: RUNS.adminRefused },
    )
  }, 60_000)

  it(`${RUNS.admin} malformed requests behind the host's authentication`, async () => {
    const admin = createAdminHandler(target.cpo.ocpi)
    await fc.assert(
      fc.asyncProperty(adminRequestArb(adminCaseArb()), async (generated) => {
        sent++
        const response = await admin(toRequest(generated))
        await expectAdminAnswer(response, describeRequest(generated))
        expectStateUnchanged(generated)
      }),
      { seed, numRuns: RUNS.admin, endOnFailure: true },
    )
  }, 60_000)
})

describe('coverage', () => {
  it(`sent at least ${MIN_REQUESTS} generated requests`, () => {
    expect(sent).toBeGreaterThanOrEqual(MIN_REQUESTS)
  })

  it('the pool held a token of every kind the SDK stores', () => {
    const kinds = new Set([...target.cpo.backing.tokens.values()].map((t) => t.kind))
    expect([...kinds].sort()).toEqual([
      'consumed-invitation',
      'current',
      'invitation',
      'pending-registration',
      'pending-rotation',
      'previous',
    ])
    expect(target.tokens.every((t) => t.token.length > 0)).toBe(true)
  })
})
