// The binding in-process, through Hono's `app.request`: the core's routes under any mount path, the auth
// middleware's typed peer and its refusals, and a full registration between two apps.
import { type AuthenticatedPeer, OcpiStatus } from '@ocpi-credentials/core'
import { Hono } from 'hono'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { type OcpiEnv, ocpiAuth, ocpiRoutes } from '../src/index.js'
import { CPO, EMSP, envelope, hostApp, type InProcessApp, inProcessFetch, makeOcpi } from './platform.js'

const token = (value: string) => ({ authorization: `Token ${value}` })

describe('ocpiRoutes under a base path with a non-ASCII character', () => {
  it('serves a base path with a character that arrives percent-encoded', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/münchen/ocpi', CPO)
    const app = new Hono()
    app.route('/münchen/ocpi', ocpiRoutes(ocpi))
    const { token: tokenA } = await ocpi.invite()
    const versions = await app.request('/m%C3%BCnchen/ocpi/versions', { headers: token(tokenA) })
    expect(versions.status).toBe(200)
  })
})

describe.each([
  { prefix: '/ocpi', baseUrl: 'https://cpo.example.com/ocpi' },
  { prefix: '/api/ocpi', baseUrl: 'https://cpo.example.com/api/ocpi' },
])('ocpiRoutes mounted at $prefix', ({ prefix, baseUrl }) => {
  const setUp = () => {
    const ocpi = makeOcpi(baseUrl, CPO)
    return { ocpi, app: hostApp(ocpi, prefix) }
  }

  it('serves the versions list and version details with a TOKEN_A', async () => {
    const { ocpi, app } = setUp()
    const { token: tokenA } = await ocpi.invite()

    const versions = await app.request(`${prefix}/versions`, { headers: token(tokenA) })
    expect(versions.status).toBe(200)
    const list = (await versions.json()) as { status_code: number; data: { version: string; url: string }[] }
    expect(list.status_code).toBe(OcpiStatus.SUCCESS)
    expect(list.data).toContainEqual({ version: '2.2.1', url: `${baseUrl}/2.2.1` })

    // A trailing slash is tolerated, as the core tolerates it.
    const details = await app.request(`${prefix}/2.2.1/`, { headers: token(tokenA) })
    expect(details.status).toBe(200)
    const body = (await details.json()) as { data: { endpoints: { identifier: string; url: string }[] } }
    expect(body.data.endpoints).toContainEqual(
      expect.objectContaining({ identifier: 'credentials', url: `${baseUrl}/2.2.1/credentials` }),
    )
    expect(body.data.endpoints).toContainEqual(
      expect.objectContaining({ identifier: 'locations', url: `${baseUrl}/2.2.1/locations` }),
    )
  })

  it("hands the core's refusals back unchanged: 401 without a token, 404 unknown version, 405 method", async () => {
    const { app } = setUp()

    const noToken = await app.request(`${prefix}/versions`)
    expect(noToken.status).toBe(401)
    expect(await noToken.json()).toMatchObject({ status_code: OcpiStatus.CLIENT_ERROR })

    const unknown = await app.request(`${prefix}/9.9.9`, { headers: token('whatever') })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ status_code: OcpiStatus.CLIENT_ERROR })

    const patch = await app.request(`${prefix}/2.2.1/credentials`, { method: 'PATCH' })
    expect(patch.status).toBe(405)
    expect(patch.headers.get('allow')).toBe('GET, HEAD, POST, PUT, DELETE')
  })

  it('routes only what the core serves: other paths under the prefix stay the host’s', async () => {
    const ocpi = makeOcpi(baseUrl, CPO)
    const app = new Hono()
    app.route(prefix, ocpiRoutes(ocpi))
    app.get(`${prefix}/health`, (c) => c.text('ok'))
    app.get(`${prefix}/2.2.1/status`, (c) => c.text('fine'))

    const health = await app.request(`${prefix}/health`)
    expect([health.status, await health.text()]).toEqual([200, 'ok'])
    const status = await app.request(`${prefix}/2.2.1/status`)
    expect([status.status, await status.text()]).toEqual([200, 'fine'])
    // Paths the binding does not route fall through to the host's own 404, not an OCPI envelope.
    expect(await (await app.request(`${prefix}/2.2.1/sessions`)).text()).toBe('404 Not Found')
  })
})

describe('ocpiRoutes and the host app’s router', () => {
  it('keeps a host app on Hono’s RegExpRouter, and the core’s paths still reach the core', async () => {
    // A static `versions` beside a constrained `:version{…}` at one depth would put the whole app, every
    // host route included, on the slower TrieRouter (~15% fewer requests/s on a module route).
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = new Hono()
    app.route('/ocpi', ocpiRoutes(ocpi))
    app.get('/ocpi/:version/locations', (c) => c.text('host locations'))
    const { token } = await ocpi.invite()
    const versions = await app.request('/ocpi/versions', { headers: { authorization: `Token ${token}` } })
    expect(versions.status).toBe(200)
    expect((await app.request('/ocpi/2.2.1/locations')).status).toBe(200)
    expect((app.router as { activeRouter?: { name: string } }).activeRouter?.name).toBe('RegExpRouter')
  })

  it('hands on nothing of its own: a host handler that forgets to return still gets Hono’s own error', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = new Hono()
    app.route('/ocpi', ocpiRoutes(ocpi))
    // @ts-expect-error: the mistake under test, a handler that returns nothing
    app.get('/ocpi/:segment', (c) => {
      void c.text('not returned')
    })
    app.onError((error, c) => c.text(error.message, 500))
    const response = await app.request('/ocpi/health')
    expect(response).toBeInstanceOf(Response)
    expect([response.status, await response.text()]).toEqual([500, expect.stringContaining('not finalized')])
  })

  it('hands on what is not a core path, even where the route shape matches', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = new Hono()
    app.route('/ocpi', ocpiRoutes(ocpi))
    app.get('/ocpi/:module', (c) => c.text(`host ${c.req.param('module')}`))
    app.all('/ocpi/:segment/credentials', (c) => c.text('host credentials'))
    expect(await (await app.request('/ocpi/health')).text()).toBe('host health')
    expect(await (await app.request('/ocpi/versionsx')).text()).toBe('host versionsx')
    expect(await (await app.request('/ocpi/versions/credentials')).text()).toBe('host credentials')
    // A version-shaped segment is the core's, which answers an unknown version with its 404 envelope.
    const unknown = await app.request('/ocpi/9.9/credentials')
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ status_code: OcpiStatus.CLIENT_ERROR })
  })
})

describe('HubClientInfo through ocpiRoutes', () => {
  const paths = [
    '/ocpi/2.2.1/hubclientinfo',
    '/ocpi/2.2.1/hubclientinfo/',
    '/ocpi/2.2.1/hubclientinfo/DE/ABC',
  ]
  it('reaches the core when the SDK serves it (its 401 envelope without a token)', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO, {
      hubClientInfo: { receiver: true, sender: true },
    })
    const app = new Hono()
    app.route('/ocpi', ocpiRoutes(ocpi))
    for (const path of paths) {
      const response = await app.request(path)
      expect([path, response.status]).toEqual([path, 401])
      expect(await response.json()).toMatchObject({ status_code: OcpiStatus.CLIENT_ERROR })
    }
  })

  it("is the host's when the SDK does not serve it", async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = new Hono()
    app.route('/ocpi', ocpiRoutes(ocpi))
    app.all('/ocpi/:version/hubclientinfo/*', (c) => c.text('host hubclientinfo'))
    app.all('/ocpi/:version/hubclientinfo', (c) => c.text('host hubclientinfo'))
    for (const path of paths) expect(await (await app.request(path)).text()).toBe('host hubclientinfo')
  })
})

describe('two SDK instances, each in its own Hono app, in-process', () => {
  const setUp = (options: { moduleFirst?: boolean } = {}) => {
    const apps = new Map<string, InProcessApp>()
    const fetch = inProcessFetch(apps)
    const cpo = makeOcpi('https://cpo.example.com/ocpi', CPO, { fetch })
    const emsp = makeOcpi('https://emsp.example.com/api/ocpi', EMSP, { fetch })
    const cpoApp = hostApp(cpo, '/ocpi', options)
    apps.set('https://cpo.example.com', cpoApp)
    apps.set('https://emsp.example.com', hostApp(emsp, '/api/ocpi', options))
    return { cpo, emsp, cpoApp }
  }

  it.each([{ moduleFirst: false }, { moduleFirst: true }])(
    'registers, then the peer calls the host module behind ocpiAuth (module registered first: $moduleFirst)',
    async (options) => {
      const { cpo, emsp } = setUp(options)
      const invitation = await cpo.invite()
      const peer = await emsp.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
      expect(peer).toMatchObject({ state: 'registered', version: '2.3.0' })
      expect(await cpo.getPeer(invitation.peerId)).toMatchObject({ state: 'registered' })

      const response = await emsp.client(peer.id).request('locations', 'SENDER')
      expect(response).toMatchObject({
        status: 200,
        statusCode: OcpiStatus.SUCCESS,
        data: { peer: invitation.peerId, version: '2.3.0' },
      })
    },
  )

  it('refuses a module request without a token, and with a TOKEN_A, with OCPI 401 envelopes', async () => {
    const { cpo, cpoApp } = setUp()
    const { token: tokenA } = await cpo.invite()

    const anonymous = await cpoApp.request('/ocpi/2.2.1/locations')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await anonymous.json()).toMatchObject({
      status_code: OcpiStatus.CLIENT_ERROR,
      status_message: expect.any(String),
      timestamp: expect.any(String),
    })

    const withTokenA = await cpoApp.request('/ocpi/2.2.1/locations', { headers: token(tokenA) })
    expect(withTokenA.status).toBe(401)
    const body = (await withTokenA.json()) as { status_code: number; status_message: string }
    expect(body.status_code).toBe(OcpiStatus.CLIENT_ERROR)
    expect(body.status_message).toContain('locations')
    expect(body.status_message).not.toContain(tokenA)
  })
})

describe('ocpiAuth', () => {
  it('types the peer on the context and leaves the request body to the handler', async () => {
    const apps = new Map<string, InProcessApp>()
    const fetch = inProcessFetch(apps)
    const cpo = makeOcpi('https://cpo.example.com/ocpi', CPO, { fetch })
    const emsp = makeOcpi('https://emsp.example.com/ocpi', EMSP, { fetch })
    const cpoApp = new Hono<OcpiEnv>()
    cpoApp.route('/ocpi', ocpiRoutes(cpo))
    const seen: { peer: AuthenticatedPeer; body: unknown }[] = []
    cpoApp.post('/ocpi/:version/locations', ocpiAuth(cpo, { module: 'locations' }), async (c) => {
      const peer = c.get('ocpiPeer')
      expectTypeOf(peer).toEqualTypeOf<AuthenticatedPeer>()
      seen.push({ peer, body: await c.req.json() })
      return c.json(envelope(null))
    })
    apps.set('https://cpo.example.com', cpoApp)
    apps.set('https://emsp.example.com', hostApp(emsp, '/ocpi'))

    const invitation = await cpo.invite()
    const peer = await emsp.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    const response = await emsp
      .client(peer.id)
      .request('locations', 'SENDER', { method: 'POST', body: { hello: 'world' } })
    expect([response.status, response.statusCode]).toEqual([200, OcpiStatus.SUCCESS])
    expect(seen).toHaveLength(1)
    expect(seen[0]?.body).toEqual({ hello: 'world' })
    expect(seen[0]?.peer).toMatchObject({
      id: invitation.peerId,
      version: '2.3.0',
      parties: [expect.objectContaining({ country_code: 'DE', party_id: 'MSP' })],
    })
  })

  it('serves repeated calls from the cache, yet refuses a forged party and a revoked token at once', async () => {
    const apps = new Map<string, InProcessApp>()
    const fetch = inProcessFetch(apps)
    const cpo = makeOcpi('https://cpo.example.com/ocpi', CPO, { fetch })
    const emsp = makeOcpi('https://emsp.example.com/ocpi', EMSP, { fetch })
    const cpoApp = new Hono<OcpiEnv>()
    cpoApp.route('/ocpi', ocpiRoutes(cpo))
    const seen: { peer: string; authorization: string | undefined }[] = []
    cpoApp.get('/ocpi/:version/locations', ocpiAuth(cpo, { module: 'locations' }), (c) => {
      seen.push({ peer: c.get('ocpiPeer').id, authorization: c.req.header('authorization') })
      return c.json(envelope([]))
    })
    apps.set('https://cpo.example.com', cpoApp)
    apps.set('https://emsp.example.com', hostApp(emsp, '/ocpi'))
    const invitation = await cpo.invite()
    const peer = await emsp.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })

    const slowPath = vi.spyOn(cpo, 'authenticate')
    for (let i = 0; i < 3; i++)
      expect((await emsp.client(peer.id).request('locations', 'SENDER')).status).toBe(200)
    expect(seen.map((call) => call.peer)).toEqual([invitation.peerId, invitation.peerId, invitation.peerId])
    expect(slowPath).toHaveBeenCalledTimes(1) // the two others were answered from the cache, synchronously
    const authorization = seen[0]?.authorization ?? ''
    const forged = await cpoApp.request('/ocpi/2.3.0/locations', {
      headers: { authorization, 'ocpi-from-country-code': 'FR', 'ocpi-from-party-id': 'XXX' },
    })
    expect(forged.status).toBe(401)
    await cpo.revoke(invitation.peerId)
    expect((await cpoApp.request('/ocpi/2.3.0/locations', { headers: { authorization } })).status).toBe(401)
    expect(seen).toHaveLength(3)
  })

  it("composes with the host's own Env, on a route and through app.use", async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    type HostEnv = { Variables: { tenant: string } }
    const app = new Hono<HostEnv>()
    app.use(async (c, next) => {
      c.set('tenant', 'acme')
      await next()
    })
    app.get('/ocpi/:version/locations', ocpiAuth(ocpi, { module: 'locations' }), (c) => {
      expectTypeOf(c.get('tenant')).toEqualTypeOf<string>()
      expectTypeOf(c.get('ocpiPeer')).toEqualTypeOf<AuthenticatedPeer>()
      return c.json(envelope([]))
    })
    // A sub-app for all of a module's routes, guarded once.
    const sessions = new Hono<OcpiEnv>()
    sessions.use(ocpiAuth(ocpi, { module: 'sessions' }))
    sessions.get('/', (c) => c.json(envelope({ peer: c.get('ocpiPeer').id })))
    app.route('/ocpi/:version/sessions', sessions)

    expect((await app.request('/ocpi/2.2.1/locations')).status).toBe(401)
    const refused = await app.request('/ocpi/2.2.1/sessions')
    expect(refused.status).toBe(401)
    expect(((await refused.json()) as { status_message: string }).status_message).toBeTypeOf('string')
  })

  it('does not call the handler when it refuses', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = new Hono()
    let called = false
    app.get('/ocpi/:version/locations', ocpiAuth(ocpi, { module: 'locations' }), (c) => {
      called = true
      return c.json(envelope([]))
    })
    const response = await app.request('/ocpi/2.2.1/locations', { headers: token('not-a-token') })
    expect(response.status).toBe(401)
    expect(called).toBe(false)
  })
})
