// The core serves the path Express routed: neither a Host header carrying a path and a query, nor a path
// the web URL rewrites (dot segments, %2e, backslashes), both of which a raw client can send, may make
// the core serve another path than the one Express routed, past the host's own path-based middleware
// (guards, allowlists, rate limits).
import { once } from 'node:events'
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { bearerAuthorizer } from '@ocpi-credentials/core'
import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { ocpiAdmin, ocpiRouter } from '../src/index.js'
import { CPO, EXPRESS_MAJORS, makeOcpi } from './platform.js'

describe.each(EXPRESS_MAJORS)('%s', (_, express) => {
  it('ocpiRouter: the core serves the path Express routed, not one smuggled in through Host', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = express()
    // The host blocks the credentials endpoint in front of the router (allowlist, WAF rule, rate limit…).
    app.use('/ocpi/2.2.1/credentials', (_req, res) => {
      res.status(403).json({ blocked: true })
    })
    app.use('/ocpi', ocpiRouter(ocpi))
    const { token } = await ocpi.invite()
    expect(
      (await supertest(app).get('/ocpi/2.2.1/credentials').set('authorization', `Token ${token}`)).status,
    ).toBe(403)

    const smuggled = await supertest(app)
      .get('/ocpi/versions')
      .set('host', 'cpo.example.com/ocpi/2.2.1/credentials?')
      .set('authorization', `Token ${token}`)
    // Express routed GET /ocpi/versions: the answer must be the versions list (an array), not our credentials.
    expect(smuggled.body.data).toBeInstanceOf(Array)
  })

  it('ocpiAdmin: a path-based guard in front of the admin API cannot be side-stepped through Host', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = express()
    // Only super-admins may issue invitations; staff may use the rest of the admin API.
    app.use('/admin/invitations', (_req, res) => {
      res.status(403).json({ code: 'super-admins only' })
    })
    app.use('/admin', ocpiAdmin(ocpi))
    expect((await supertest(app).post('/admin/invitations')).status).toBe(403)
    const smuggled = await supertest(app)
      .post('/admin/registrations')
      .set('host', 'cpo.example.com/admin/invitations?')
    expect({ status: smuggled.status, issuedToken: typeof smuggled.body.token === 'string' }).not.toEqual({
      status: 201,
      issuedToken: true,
    })
  })
})

/** One request to `app` on a loopback port, its path sent exactly as given (no client normalises it). */
async function rawRequest(
  app: { listen(port: number, host: string): Server },
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    return await new Promise((resolve, reject) => {
      const port = (server.address() as AddressInfo).port
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        let body = ''
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
      })
      req.on('error', reject)
      req.end()
    })
  } finally {
    server.close()
  }
}

describe.each(EXPRESS_MAJORS)('%s: paths the web URL would rewrite', (_, express) => {
  it.each([
    '/admin/x/invitations',
    '/admin//invitations',
    '/admin/peers/invitations',
    '/admin/x/../invitations',
    '/admin/x/%2e%2e/invitations',
    '/admin/%2e%2e/admin/invitations',
    '/admin/x\\..\\invitations',
  ])('a guard on /admin/invitations holds against %s (refused, nothing issued)', async (path) => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = express()
    app.use('/admin/invitations', (_req, res) => {
      res.status(403).json({ code: 'super-admins only' })
    })
    app.use('/admin', ocpiAdmin(ocpi))
    const answer = await rawRequest(app, 'POST', path)
    expect(answer.status).not.toBe(201)
    expect(answer.body).not.toContain('"token"')
    expect(await ocpi.listPeers()).toEqual([])
  })

  it('a rewritten admin path is 401 to an unauthorised caller, 400 to an authorised one, both no-store', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = express()
    app.use('/admin', ocpiAdmin(ocpi, { authorize: bearerAuthorizer('admin-secret-0123456789') }))
    const path = '/admin/x/../invitations'
    const stranger = await rawRequest(app, 'POST', path)
    expect([stranger.status, stranger.headers['cache-control']]).toEqual([401, 'no-store'])
    const admin = await rawRequest(app, 'POST', path, { authorization: 'Bearer admin-secret-0123456789' })
    expect([admin.status, admin.headers['cache-control']]).toEqual([400, 'no-store'])
    expect(JSON.parse(admin.body)).toMatchObject({ code: 'ERR_OCPI_INVALID_INPUT' })
    expect(await ocpi.listPeers()).toEqual([])
  })

  it('under strict routing, a guard on /admin/invitations holds against /admin/invitations/', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = express()
    app.set('strict routing', true)
    // A route guard (app.post), which strict routing keeps from matching the path with a trailing slash.
    app.post('/admin/invitations', (_req, res) => {
      res.status(403).json({ code: 'super-admins only' })
    })
    app.use('/admin', ocpiAdmin(ocpi))
    expect((await rawRequest(app, 'POST', '/admin/invitations')).status).toBe(403)
    const answer = await rawRequest(app, 'POST', '/admin/invitations/')
    expect(answer.status).toBe(404)
    expect(await ocpi.listPeers()).toEqual([])
  })

  it('ocpiRouter answers such a path of its own with an OCPI envelope (400 / 2000), not the rewritten route', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO, { hubClientInfo: { receiver: true } })
    const app = express()
    app.use('/ocpi', ocpiRouter(ocpi))
    const { token } = await ocpi.invite()
    const answer = await rawRequest(app, 'GET', '/ocpi/2.2.1/hubclientinfo/%2e%2e/%2e%2e', {
      authorization: `Token ${token}`,
    })
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body)).toMatchObject({ status_code: 2000 })
  })
})
