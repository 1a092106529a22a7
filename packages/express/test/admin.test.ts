// The core's admin API through `ocpiAdmin`, once per Express major, with and without `express.json()` in
// front: authorization, invitations, a registration with another SDK instance, and the peer list.
import type { AdminInvitation, AdminPeer, AdminPeerList } from '@ocpi-credentials/core'
import type { Express } from 'express'
import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { ocpiAdmin } from '../src/index.js'
import {
  CPO,
  CPO_BASE,
  EMSP,
  EMSP_BASE,
  EXPRESS_MAJORS,
  hostApp,
  makeOcpi,
  supertestFetch,
} from './platform.js'

const ADMIN = 'Bearer admin-secret'

describe.each(EXPRESS_MAJORS)('%s', (_, express) => {
  describe.each([
    { json: false, mount: '/admin', label: 'at /admin without a body parser' },
    { json: true, mount: '/internal/admin', label: 'at /internal/admin behind express.json()' },
  ])('ocpiAdmin $label', ({ json, mount }) => {
    /** A CPO served by Express with the admin API; an eMSP whose calls reach the CPO through that app. */
    const setUp = () => {
      const apps: Express[] = []
      const emsp = makeOcpi(EMSP_BASE, EMSP, {
        fetch: async (input, init) => {
          const [app] = apps
          if (app === undefined) throw new TypeError('fetch failed')
          return supertestFetch(app)(input, init)
        },
      })
      const cpo = makeOcpi(CPO_BASE, CPO, {
        fetch: async (input, init) => emsp.handle(new Request(input, init)),
      })
      const app = hostApp(express, cpo, '/ocpi', { json })
      apps.push(app)
      app.use(
        mount,
        ocpiAdmin(cpo, { authorize: (request) => request.headers.get('authorization') === ADMIN }),
      )
      return { app, cpo, emsp }
    }

    it('refuses a request that `authorize` turns down with the core’s 401 JSON error', async () => {
      const { app } = setUp()
      const response = await supertest(app).post(`${mount}/invitations`).set('authorization', 'Bearer nope')
      expect(response.status).toBe(401)
      expect(response.body).toMatchObject({ code: expect.any(String), message: expect.any(String) })
    })

    it('refuses with 403 a browser request from another site, a cookie or not, and stores nothing', async () => {
      const { app, cpo } = setUp()
      const forged = await supertest(app)
        .post(`${mount}/invitations`)
        .set('authorization', ADMIN)
        .set('sec-fetch-site', 'cross-site')
        .type('form')
        .send('')
      expect([forged.status, forged.body.code]).toEqual([403, 'ERR_OCPI_CROSS_SITE'])
      expect(await cpo.listPeers()).toEqual([])
    })

    it('issues an invitation, with and without a body, and lists the invited peer', async () => {
      const { app } = setUp()
      const bare = await supertest(app).post(`${mount}/invitations`).set('authorization', ADMIN)
      expect(bare.status).toBe(201)
      expect(bare.body as AdminInvitation).toMatchObject({ versions_url: `${CPO_BASE}/versions` })

      const withBody = await supertest(app)
        .post(`${mount}/invitations`)
        .set('authorization', ADMIN)
        .send({ expires_in_seconds: 3600, expected_parties: [{ country_code: 'DE', party_id: 'MSP' }] })
      expect(withBody.status).toBe(201)

      const list = await supertest(app).get(`${mount}/peers`).set('authorization', ADMIN)
      expect(list.status).toBe(200)
      const ids = (list.body as AdminPeerList).peers.map((p) => p.id).sort()
      expect(ids).toEqual(
        [(bare.body as AdminInvitation).peer_id, (withBody.body as AdminInvitation).peer_id].sort(),
      )
    })

    it('refuses a JSON null body with 400, a body parser in front or not, and stores nothing', async () => {
      const { app, cpo } = setUp()
      const strictOff = express()
      strictOff.use(express.json({ strict: false }), app)
      const post = (target: Express) =>
        supertest(target)
          .post(`${mount}/invitations`)
          .set('authorization', ADMIN)
          .set('content-type', 'application/json')
          .send('null')
      // A strict express.json() in front refuses `null` itself; without it, the core does.
      expect((await post(app)).status).toBe(400)
      const parsedNull = await post(strictOff)
      expect([parsedNull.status, parsedNull.body.code]).toEqual([400, 'ERR_OCPI_INVALID_INPUT'])
      expect(await cpo.listPeers()).toEqual([])
    })

    it('registers with another SDK instance from a JSON body, then shows the peer', async () => {
      const { app, emsp } = setUp()
      const invitation = await emsp.invite()
      const created = await supertest(app)
        .post(`${mount}/registrations`)
        .set('authorization', ADMIN)
        .send({ versions_url: invitation.versionsUrl, token: invitation.token })
      expect(created.status).toBe(201)
      const peer = created.body as AdminPeer
      expect(peer).toMatchObject({ state: 'registered', versions_url: invitation.versionsUrl })

      const shown = await supertest(app)
        .get(`${mount}/peers/${encodeURIComponent(peer.id)}`)
        .set('authorization', ADMIN)
      expect(shown.body).toMatchObject({ id: peer.id, state: 'registered' })
      expect(await emsp.getPeer(invitation.peerId)).toMatchObject({ state: 'registered' })
    })
  })
})
