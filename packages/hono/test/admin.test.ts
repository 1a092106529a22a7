// The admin API through the binding: mounted under a prefix, behind `authorize`, in-process.
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { ocpiAdmin, ocpiRoutes } from '../src/index.js'
import { CPO, makeOcpi } from './platform.js'

const ADMIN = { authorization: 'Bearer admin-secret' }

function setUp(prefix: string) {
  const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
  const app = new Hono()
  app.route('/ocpi', ocpiRoutes(ocpi))
  app.route(
    prefix,
    ocpiAdmin(ocpi, { authorize: (request) => request.headers.get('authorization') === ADMIN.authorization }),
  )
  return { ocpi, app }
}

describe.each(['/admin', '/internal/ocpi-admin'])('ocpiAdmin mounted at %s', (prefix) => {
  it('invites through the admin API; the TOKEN_A works on the OCPI routes', async () => {
    const { ocpi, app } = setUp(prefix)
    const created = await app.request(`${prefix}/invitations`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ expected_parties: [{ country_code: 'DE', party_id: 'MSP' }] }),
    })
    expect(created.status).toBe(201)
    const invitation = (await created.json()) as { peer_id: string; token: string; versions_url: string }
    expect(invitation.versions_url).toBe(ocpi.versionsUrl)
    expect(created.headers.get('location')).toBe(`${prefix}/peers/${encodeURIComponent(invitation.peer_id)}`)

    const versions = await app.request('/ocpi/versions', {
      headers: { authorization: `Token ${invitation.token}` },
    })
    expect(versions.status).toBe(200)

    const peer = await app.request(`${prefix}/peers/${encodeURIComponent(invitation.peer_id)}`, {
      headers: ADMIN,
    })
    expect(peer.status).toBe(200)
    expect(await peer.json()).toMatchObject({ id: invitation.peer_id, state: 'invited' })
  })

  it('answers 401 when authorize refuses, and 404 for routes it does not know', async () => {
    const { app } = setUp(prefix)
    const refused = await app.request(`${prefix}/peers`)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ code: expect.any(String), message: expect.any(String) })

    const unknown = await app.request(`${prefix}/nothing`, { headers: ADMIN })
    expect(unknown.status).toBe(404)
  })
})

describe('ocpiAdmin matches the path exactly under its mount', () => {
  it.each(['/admin/x/invitations', '/admin//invitations', '/admin/peers/invitations', '/admin/invitations/'])(
    'a guard on /admin/invitations holds against %s (nothing issued)',
    async (path) => {
      const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
      const app = new Hono()
      app.use('/admin/invitations', async (c) => c.json({ code: 'super-admins only' }, 403))
      app.route('/admin', ocpiAdmin(ocpi))
      expect((await app.request('/admin/invitations', { method: 'POST' })).status).toBe(403)
      const answer = await app.request(path, { method: 'POST' })
      expect(answer.status).not.toBe(201)
      expect(await ocpi.listPeers()).toEqual([])
    },
  )

  it('works under a mount path with a parameter', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = new Hono()
    app.route('/:tenant/admin', ocpiAdmin(ocpi))
    expect((await app.request('/acme/admin/invitations', { method: 'POST' })).status).toBe(201)
    expect((await app.request('/acme/admin/x/invitations', { method: 'POST' })).status).toBe(404)
  })

  it('works under a mount parameter that arrives percent-encoded', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = new Hono()
    app.route('/:city/admin', ocpiAdmin(ocpi))
    expect((await app.request('/m%C3%BCnchen/admin/invitations', { method: 'POST' })).status).toBe(201)
    expect((await app.request('/ac%20me/admin/peers')).status).toBe(200)
    expect((await app.request('/m%C3%BCnchen/admin/x/invitations', { method: 'POST' })).status).toBe(404)
  })

  it('a guard on a peer action holds against the same path with a trailing slash (nothing revoked)', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const app = new Hono()
    app.use('/admin/peers/:id/revocation', async (c) => c.json({ code: 'super-admins only' }, 403))
    app.route('/admin', ocpiAdmin(ocpi))
    const invited = await (await app.request('/admin/invitations', { method: 'POST' })).json()
    const answer = await app.request(`/admin/peers/${invited.peer_id}/revocation/`, { method: 'POST' })
    expect(answer.status).toBe(404)
    expect(await ocpi.getPeer(invited.peer_id)).toMatchObject({ state: 'invited' })
  })
})
