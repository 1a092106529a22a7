// The core serves the path Express routed: a Host header carrying a path and a query (which a raw client
// can send) must not replace the path of the URL the core routes on, past the host's own path-based
// middleware (guards, allowlists, rate limits).
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
