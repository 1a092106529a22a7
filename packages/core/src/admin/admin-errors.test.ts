// Every error status of the admin API, with JSON `{ code, message }` bodies that never echo the request.
import { inspect } from 'node:util'
import { describe, expect, it, vi } from 'vitest'
import { type Platform, twoPlatforms } from '../../test/two-platforms.js'
import { OcpiConfigError, OcpiError } from '../errors.js'
import type { Ocpi } from '../ocpi.js'
import { bearerAuthorizer } from './bearer.js'
import { type AdminHandlerOptions, createAdminHandler } from './handler.js'
import type { AdminError, AdminInvitation } from './json.js'
import { adminStatusOf } from './responses.js'

interface Answer {
  status: number
  headers: Headers
  text: string
  json: unknown
  /** The same body, read as an error. */
  error: AdminError
}

const BASE = 'https://cpo.example.com/admin'

function adminOf(ocpi: Ocpi, options?: AdminHandlerOptions) {
  const admin = createAdminHandler(ocpi, options)
  return async (
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<Answer> => {
    const response = await admin(
      new Request(`${BASE}${path}`, body === undefined ? { method } : { method, body, headers }),
    )
    const text = await response.text()
    expect(response.headers.get('content-type')).toBe('application/json')
    const json = JSON.parse(text) as unknown
    return { status: response.status, headers: response.headers, text, json, error: json as AdminError }
  }
}

async function registeredPair(): Promise<{
  cpo: Platform
  emsp: Platform
  cpoPeerId: string
  emspPeerId: string
}> {
  const { cpo, emsp } = twoPlatforms()
  const invitation = await cpo.ocpi.invite()
  const peer = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
  return { cpo, emsp, cpoPeerId: invitation.peerId, emspPeerId: peer.id }
}

describe('admin API errors', () => {
  it('400: invalid JSON, a body not sent as JSON, invalid fields, unknown fields and bad queries', async () => {
    const { cpo } = twoPlatforms()
    const admin = adminOf(cpo.ocpi)
    const cases: [string, string, string | undefined, string][] = [
      ['POST', '/invitations', '{"expires_in_seconds": ', 'ERR_OCPI_INVALID_JSON'],
      ['POST', '/invitations', '[1, 2', 'ERR_OCPI_INVALID_JSON'],
      ['POST', '/invitations', '{"expiresIn": 60}', 'ERR_OCPI_INVALID_INPUT'],
      ['POST', '/invitations', '{"expires_in_seconds": -1}', 'ERR_OCPI_INVALID_INPUT'],
      ['POST', '/invitations', '{"expires_in_seconds": 1.5}', 'ERR_OCPI_INVALID_INPUT'],
      ['POST', '/invitations', '{"expires_in_seconds": 99999999999}', 'ERR_OCPI_INVALID_INPUT'],
      ['POST', '/invitations', '{"expected_parties": []}', 'ERR_OCPI_INVALID_INPUT'],
      [
        'POST',
        '/invitations',
        '{"expected_parties": [{"country_code": "D", "party_id": "X"}]}',
        'ERR_OCPI_INVALID_INPUT',
      ],
      ['POST', '/invitations', '{"as": {"country_code": "DE", "party_id": "ZZZ"}}', 'ERR_OCPI_INVALID_INPUT'],
      ['POST', '/invitations', '"just a string"', 'ERR_OCPI_INVALID_INPUT'],
      ['POST', '/invitations', 'null', 'ERR_OCPI_INVALID_INPUT'],
      ['POST', '/registrations', undefined, 'ERR_OCPI_INVALID_INPUT'],
      [
        'POST',
        '/registrations',
        '{"versions_url": "https://emsp.example.com/ocpi/versions"}',
        'ERR_OCPI_INVALID_INPUT',
      ],
      [
        'POST',
        '/registrations',
        '{"versionsUrl": "https://emsp.example.com/ocpi/versions", "token": "abc"}',
        'ERR_OCPI_INVALID_INPUT',
      ],
      [
        'POST',
        '/registrations',
        '{"versions_url": "https://e.example/v", "token": "has space"}',
        'ERR_OCPI_INVALID_INPUT',
      ],
      [
        'POST',
        '/registrations',
        '{"versions_url": "http://127.0.0.1/ocpi/versions", "token": "abc"}',
        'ERR_OCPI_URL_REFUSED',
      ],
      ['POST', '/registrations', '{"versions_url": "not a url", "token": "abc"}', 'ERR_OCPI_URL_REFUSED'],
      [
        'POST',
        '/registrations',
        '{"versions_url": "https://emsp.example.com/ocpi/versions", "token": "abc", "encoding": "hex"}',
        'ERR_OCPI_INVALID_INPUT',
      ],
      ['POST', '/peers/some-id/rotation', '{"version": "9.9"}', 'ERR_OCPI_INVALID_INPUT'],
      ['GET', '/peers?limit=0', undefined, 'ERR_OCPI_INVALID_INPUT'],
      ['GET', '/peers?limit=1001', undefined, 'ERR_OCPI_INVALID_INPUT'],
      ['GET', '/peers?limit=ten', undefined, 'ERR_OCPI_INVALID_INPUT'],
      ['GET', '/peers?state=happy', undefined, 'ERR_OCPI_INVALID_INPUT'],
      ['GET', '/peers?after=', undefined, 'ERR_OCPI_INVALID_INPUT'],
      ['GET', '/peers?limit=1&limit=2', undefined, 'ERR_OCPI_INVALID_INPUT'],
      ['GET', '/peers?status=registered', undefined, 'ERR_OCPI_INVALID_INPUT'],
      ['GET', '/peers/%E0%A4%A', undefined, 'ERR_OCPI_INVALID_INPUT'],
    ]
    for (const [method, path, body, code] of cases) {
      const answer = await admin(method, path, body)
      expect([method, path, body, answer.status, answer.error.code]).toEqual([method, path, body, 400, code])
      expect(Object.keys(answer.error).sort()).toEqual(['code', 'message'])
      expect(answer.error.message.length).toBeGreaterThan(0)
    }
    const notJson = await admin('POST', '/invitations', '{}', { 'content-type': 'text/plain' })
    expect([notJson.status, notJson.error.code]).toEqual([400, 'ERR_OCPI_INVALID_JSON'])
    const camel = await admin('POST', '/invitations', '{"expiresIn": 60}')
    expect(camel.error.message).toContain(
      'allowed: expires_in_seconds, expected_parties, expected_origin, as',
    )
    expect(await cpo.ocpi.listPeers()).toEqual([])
  })

  it('400 messages never echo the request body, a field name or a token offered in it', async () => {
    const { cpo } = twoPlatforms()
    const admin = adminOf(cpo.ocpi)
    const secret = 'S3cretTokenValue-0123456789'
    const bodies = [
      `{"versions_url": 5, "token": "${secret}"}`,
      `{"versions_url": "${secret}", "token": "${secret}"}`,
      `{"versions_url": "https://e.example/v", "token": "${secret} x"}`,
      `{"versions_url": "https://e.example/v", "token": "abc", "${secret}": 1}`,
      `{"versions_url": "https://e.example/v", "token": "abc", "as": {"${secret}": 1}}`,
      `{"token": "${secret}"`,
    ]
    for (const body of bodies) {
      const answer = await admin('POST', '/registrations', body)
      expect(answer.status).toBe(400)
      expect(answer.text).not.toContain(secret.slice(0, 8))
    }
    const query = await admin('GET', `/peers?${secret}=1&state=${secret}`)
    expect(query.status).toBe(400)
    expect(query.text).not.toContain(secret.slice(0, 8))
  })

  it('401 when authorize refuses, before any routing or body parsing', async () => {
    const { cpo } = twoPlatforms()
    const authorize = vi.fn((request: Request) => request.headers.get('authorization') === 'Bearer right')
    const admin = adminOf(cpo.ocpi, { authorize })
    for (const [method, path] of [
      ['POST', '/invitations'],
      ['POST', '/registrations'],
      ['GET', '/peers'],
      ['GET', '/peers/x'],
      ['DELETE', '/peers/x'],
      ['POST', '/peers/x/rotation'],
      ['POST', '/peers/x/revocation'],
      ['GET', '/nothing-here'],
      ['PATCH', '/invitations'],
    ] as const) {
      const answer = await admin(method, path)
      expect([path, answer.status, answer.error.code]).toEqual([path, 401, 'ERR_OCPI_UNAUTHORIZED'])
    }
    const badJson = await admin('POST', '/invitations', '{not json', {
      'content-type': 'application/json',
      authorization: 'Bearer wrong',
    })
    expect(badJson.status).toBe(401)
    expect(authorize).toHaveBeenCalledTimes(10)
    expect(await cpo.ocpi.listPeers()).toEqual([])

    const asyncFalse = adminOf(cpo.ocpi, { authorize: async () => false })
    expect((await asyncFalse('GET', '/peers')).status).toBe(401)
  })

  it('403 for a browser request from another site, so a cookie-authenticated admin cannot be made to revoke', async () => {
    const { cpo, cpoPeerId } = await registeredPair()
    const before = await cpo.ocpi.getPeer(cpoPeerId)
    const admin = createAdminHandler(cpo.ocpi, { authorize: () => true })
    const forged = (path: string, site: string, body?: string) =>
      admin(
        new Request(`${BASE}${path}`, {
          method: 'POST',
          headers: { 'sec-fetch-site': site, 'content-type': 'text/plain' },
          ...(body === undefined ? {} : { body }),
        }),
      )
    for (const path of [`/peers/${cpoPeerId}/revocation`, `/peers/${cpoPeerId}/rotation`, '/invitations']) {
      const answer = await forged(path, 'cross-site')
      expect([path, answer.status, ((await answer.json()) as AdminError).code]).toEqual([
        path,
        403,
        'ERR_OCPI_CROSS_SITE',
      ])
    }
    expect(await cpo.ocpi.getPeer(cpoPeerId)).toEqual(before)
    expect(await cpo.ocpi.listPeers()).toHaveLength(1)

    // The browser's own pages, a typed URL, and every non-browser client are served.
    for (const site of ['same-origin', 'same-site', 'none']) {
      expect((await forged('/invitations', site)).status).toBe(201)
    }
    expect((await admin(new Request(`${BASE}/invitations`, { method: 'POST' }))).status).toBe(201)
    const open = createAdminHandler(cpo.ocpi, { allowCrossSite: true })
    const served = await open(new Request(`${BASE}/peers`, { headers: { 'sec-fetch-site': 'Cross-Site' } }))
    expect(served.status).toBe(200)
  })

  it('404 for an unknown peer on every peer route, and for an unknown route', async () => {
    const { cpo } = twoPlatforms()
    const admin = adminOf(cpo.ocpi)
    for (const [method, path] of [
      ['GET', '/peers/no-such-peer'],
      ['DELETE', '/peers/no-such-peer'],
      ['POST', '/peers/no-such-peer/rotation'],
      ['POST', '/peers/no-such-peer/revocation'],
    ] as const) {
      const answer = await admin(method, path)
      expect([path, answer.status, answer.error.code]).toEqual([path, 404, 'ERR_OCPI_UNKNOWN_PEER'])
    }
    for (const path of [
      '',
      '/',
      '/nothing',
      '/peers//rotation',
      '/peers/x/y',
      '/invitations/x/y',
      '/peers/x/rotate',
    ]) {
      const answer = await admin('GET', path)
      expect([path, answer.status, answer.error.code]).toEqual([path, 404, 'ERR_OCPI_NOT_FOUND'])
    }
  })

  it('405 with an Allow header for a method a route does not serve', async () => {
    const { cpo } = twoPlatforms()
    const admin = adminOf(cpo.ocpi)
    for (const [method, path, allow] of [
      ['GET', '/invitations', 'POST'],
      ['PUT', '/registrations', 'POST'],
      ['POST', '/peers', 'GET'],
      ['PUT', '/peers/x', 'GET, DELETE'],
      ['POST', '/peers/x', 'GET, DELETE'],
      ['GET', '/peers/x/rotation', 'POST'],
      ['DELETE', '/peers/x/revocation', 'POST'],
    ] as const) {
      const answer = await admin(method, path)
      expect([method, path, answer.status, answer.error.code]).toEqual([
        method,
        path,
        405,
        'ERR_OCPI_NOT_ALLOWED',
      ])
      expect(answer.headers.get('allow')).toBe(allow)
    }
  })

  it('409 for a peer in the wrong state, and for concurrent rotations of one peer', async () => {
    const { cpo, emsp, emspPeerId } = await registeredPair()
    const cpoAdmin = adminOf(cpo.ocpi)
    const invitation = (await cpoAdmin('POST', '/invitations', '{}')).json as AdminInvitation
    for (const [method, path] of [
      ['POST', `/peers/${invitation.peer_id}/rotation`],
      ['DELETE', `/peers/${invitation.peer_id}`],
    ] as const) {
      const answer = await cpoAdmin(method, path)
      expect([path, answer.status, answer.error.code]).toEqual([path, 409, 'ERR_OCPI_WRONG_STATE'])
    }

    const emspAdmin = adminOf(emsp.ocpi)
    const answers = await Promise.all([
      emspAdmin('POST', `/peers/${emspPeerId}/rotation`),
      emspAdmin('POST', `/peers/${emspPeerId}/rotation`),
    ])
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409])
    expect(answers.find((a) => a.status === 409)?.error.code).toBe('ERR_OCPI_CONFLICT')

    expect((await emspAdmin('DELETE', `/peers/${emspPeerId}`)).status).toBe(200)
    const twice = await emspAdmin('DELETE', `/peers/${emspPeerId}`)
    expect([twice.status, twice.error.code]).toEqual([409, 'ERR_OCPI_WRONG_STATE'])
  })

  it('413 for a body over the cap, declared or streamed', async () => {
    const { cpo } = twoPlatforms()
    const admin = adminOf(cpo.ocpi)
    const big = JSON.stringify({
      expected_parties: [{ country_code: 'DE', party_id: 'ABC', role: 'x'.repeat(17_000) }],
    })
    const declared = await admin('POST', '/invitations', big, {
      'content-type': 'application/json',
      'content-length': String(big.length),
    })
    expect([declared.status, declared.error.code]).toEqual([413, 'ERR_OCPI_PAYLOAD_TOO_LARGE'])
    const streamed = await admin('POST', '/invitations', big)
    expect([streamed.status, streamed.error.code]).toEqual([413, 'ERR_OCPI_PAYLOAD_TOO_LARGE'])
    const small = adminOf(cpo.ocpi, { maxBodyBytes: 10 })
    expect(
      (await small('POST', '/invitations', '{"as": {"country_code": "NL", "party_id": "CPO"}}')).status,
    ).toBe(413)
    expect(await cpo.ocpi.listPeers()).toEqual([])
    for (const maxBodyBytes of [0, -1, 1.5, Number.NaN]) {
      expect(() => createAdminHandler(cpo.ocpi, { maxBodyBytes })).toThrow(OcpiConfigError)
    }
  })

  it('502 when the peer refuses, lacks required endpoints, or cannot be reached', async () => {
    const { cpo, emsp } = twoPlatforms({ emsp: { transport: { getRetries: 0 } } })
    const emspAdmin = adminOf(emsp.ocpi)
    const wrongToken = await emspAdmin(
      'POST',
      '/registrations',
      JSON.stringify({ versions_url: cpo.ocpi.versionsUrl, token: 'not-a-token-the-cpo-issued' }),
    )
    expect([wrongToken.status, wrongToken.error.code, wrongToken.error.step]).toEqual([
      502,
      'ERR_OCPI_PEER_HTTP',
      'GET versions',
    ])
    expect(wrongToken.text).not.toContain('not-a-token')

    const unreachable = await emspAdmin(
      'POST',
      '/registrations',
      JSON.stringify({ versions_url: 'https://nowhere.example.net/ocpi/versions', token: 'abc' }),
    )
    expect([unreachable.status, unreachable.error.code]).toEqual([502, 'ERR_OCPI_PEER_UNREACHABLE'])

    const strict = twoPlatforms({ emsp: { requires: ['sessions'] } })
    const invitation = await strict.cpo.ocpi.invite()
    const missing = await adminOf(strict.emsp.ocpi)(
      'POST',
      '/registrations',
      JSON.stringify({ versions_url: invitation.versionsUrl, token: invitation.token }),
    )
    expect([missing.status, missing.error.code]).toEqual([502, 'ERR_OCPI_MISSING_ENDPOINTS'])
    expect(missing.text).not.toContain(invitation.token.slice(0, 8))
  })

  it('500 revealing nothing for any other failure, reported to onError', async () => {
    const { cpo } = twoPlatforms()
    const onError = vi.fn()
    const broken: Ocpi = {
      ...cpo.ocpi,
      getPeer: async () => {
        throw new Error('connection to postgres://admin:hunter2@db failed')
      },
      listPeers: async () => {
        throw new OcpiError('ERR_OCPI_STORE', 'the store refused something')
      },
    }
    const admin = adminOf(broken, { onError })
    const plain = await admin('GET', '/peers/x')
    expect([plain.status, plain.error]).toEqual([
      500,
      { code: 'ERR_OCPI_INTERNAL', message: 'internal error' },
    ])
    const store = await admin('GET', '/peers')
    expect([store.status, store.error]).toEqual([
      500,
      { code: 'ERR_OCPI_INTERNAL', message: 'internal error' },
    ])
    expect(onError).toHaveBeenCalledTimes(2)
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(Error)
    expect(onError.mock.calls[0]?.[1]).toEqual({ method: 'GET', path: '/admin/peers/x' })

    const throwingAuthorize = adminOf(cpo.ocpi, {
      authorize: () => {
        throw new Error('session store down')
      },
      onError: () => {
        throw new Error('a throwing onError is ignored')
      },
    })
    const denied = await throwingAuthorize('GET', '/peers')
    expect([denied.status, denied.error.code]).toEqual([500, 'ERR_OCPI_INTERNAL'])
  })

  it('onError gets the method and path of the failed request, never its headers (the admin secret)', async () => {
    // Regression: it got the `Request` itself, and `console.error(error, request)` printed
    // `authorization: 'Bearer <admin secret>'`.
    const { cpo } = twoPlatforms()
    const secret = 'admin-secret-0123456789abcdef'
    const logged: string[] = []
    const broken: Ocpi = {
      ...cpo.ocpi,
      listPeers: async () => {
        throw new OcpiError('ERR_OCPI_STORE', 'the store refused something')
      },
    }
    const admin = createAdminHandler(broken, {
      authorize: bearerAuthorizer(secret),
      onError: (...args) => logged.push(inspect(args, { depth: 10, showHidden: true })),
    })
    const response = await admin(
      new Request(`${BASE}/peers?limit=5`, {
        headers: { authorization: `Bearer ${secret}`, cookie: `session=${secret}` },
      }),
    )
    expect(response.status).toBe(500)
    expect(logged).toHaveLength(1)
    expect(logged[0]).not.toContain(secret.slice(0, 12))
    expect(logged[0]).toContain("method: 'GET'")
    expect(logged[0]).toContain("path: '/admin/peers'")
  })

  it('maps every peer-side failure code to 502 and internal codes to a 500', () => {
    for (const code of [
      'ERR_OCPI_PEER_UNREACHABLE',
      'ERR_OCPI_PEER_TIMEOUT',
      'ERR_OCPI_PEER_HTTP',
      'ERR_OCPI_PEER_INVALID_RESPONSE',
      'ERR_OCPI_PEER_REFUSED',
      'ERR_OCPI_UNSUPPORTED_VERSION',
      'ERR_OCPI_MISSING_ENDPOINTS',
      'ERR_OCPI_OUTCOME_UNKNOWN',
    ] as const) {
      expect([code, adminStatusOf(code)]).toEqual([code, 502])
    }
    for (const code of ['ERR_OCPI_CONFIG', 'ERR_OCPI_SEALING', 'ERR_OCPI_STORE'] as const) {
      expect(adminStatusOf(code)).toBeUndefined()
    }
  })

  it('a registered peer unknown on the CPO after revocation answers the eMSP rotation with 502', async () => {
    const { cpo, emsp, cpoPeerId, emspPeerId } = await registeredPair()
    await cpo.ocpi.revoke(cpoPeerId)
    const answer = await adminOf(emsp.ocpi)('POST', `/peers/${emspPeerId}/rotation`)
    expect(answer.status).toBe(502)
    expect(answer.error.code).toMatch(/^ERR_OCPI_PEER_/)
    expect((await emsp.ocpi.getPeer(emspPeerId))?.state).toBe('registered')
  })
})
