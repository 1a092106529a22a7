// The binding in-process, through supertest, once per Express major: the core's routes under any mount
// path, with and without `express.json()` in front; the auth middleware's peer and its refusals; and full
// registrations, rotations and unregistrations whose every request goes through Express.
import { type AuthenticatedPeer, type Ocpi, OcpiStatus } from '@ocpi-credentials/core'
import supertest from 'supertest'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { ocpiAuth, ocpiPeerOf, ocpiRouter } from '../src/index.js'
import {
  CPO,
  CPO_BASE,
  EMSP,
  EXPRESS_MAJORS,
  envelope,
  hostApp,
  linkThroughExpress,
  makeOcpi,
} from './platform.js'

const MOUNTS = [
  { prefix: '/ocpi', baseUrl: 'https://cpo.example.com/ocpi' },
  { prefix: '/api/ocpi', baseUrl: 'https://cpo.example.com/api/ocpi' },
]

describe.each(EXPRESS_MAJORS)('%s', (_, express) => {
  describe.each(MOUNTS)('ocpiRouter mounted at $prefix', ({ prefix, baseUrl }) => {
    it('serves the versions list and version details with a TOKEN_A', async () => {
      const ocpi = makeOcpi(baseUrl, CPO)
      const app = hostApp(express, ocpi, prefix)
      const { token } = await ocpi.invite()

      const versions = await supertest(app).get(`${prefix}/versions`).set('authorization', `Token ${token}`)
      expect(versions.status).toBe(200)
      expect(versions.headers['content-type']).toMatch(/^application\/json/)
      expect(versions.body.status_code).toBe(OcpiStatus.SUCCESS)
      expect(versions.body.data).toContainEqual({ version: '2.2.1', url: `${baseUrl}/2.2.1` })

      // A trailing slash is tolerated, as the core tolerates it.
      const details = await supertest(app).get(`${prefix}/2.2.1/`).set('authorization', `Token ${token}`)
      expect(details.status).toBe(200)
      expect(details.body.data.endpoints).toContainEqual(
        expect.objectContaining({ identifier: 'credentials', url: `${baseUrl}/2.2.1/credentials` }),
      )
      expect(details.body.data.endpoints).toContainEqual(
        expect.objectContaining({ identifier: 'locations', url: `${baseUrl}/2.2.1/locations` }),
      )
    })

    it("hands the core's refusals back unchanged: 401 without a token, 404 unknown version, 405 method", async () => {
      const app = hostApp(express, makeOcpi(baseUrl, CPO), prefix)

      const noToken = await supertest(app).get(`${prefix}/versions`).set('x-request-id', 'req-1')
      expect(noToken.status).toBe(401)
      expect(noToken.body).toMatchObject({ status_code: OcpiStatus.CLIENT_ERROR })
      expect(noToken.headers['x-request-id']).toBe('req-1')

      const unknown = await supertest(app).get(`${prefix}/9.9.9`).set('authorization', 'Token whatever')
      expect(unknown.status).toBe(404)
      expect(unknown.body).toMatchObject({ status_code: OcpiStatus.CLIENT_ERROR })

      const patch = await supertest(app).patch(`${prefix}/2.2.1/credentials`)
      expect(patch.status).toBe(405)
      expect(patch.headers['allow']).toBe('GET, HEAD, POST, PUT, DELETE')
    })

    it('routes only what the core serves: other paths under the prefix stay the host’s', async () => {
      const app = express()
      app.use(prefix, ocpiRouter(makeOcpi(baseUrl, CPO)))
      app.get(`${prefix}/health`, (_req, res) => {
        res.send('ok')
      })
      app.get(`${prefix}/2.2.1/status`, (_req, res) => {
        res.send('fine')
      })

      const health = await supertest(app).get(`${prefix}/health`)
      expect([health.status, health.text]).toEqual([200, 'ok'])
      const status = await supertest(app).get(`${prefix}/2.2.1/status`)
      expect([status.status, status.text]).toEqual([200, 'fine'])
      // Paths the binding does not route fall through to the host's own 404, not an OCPI envelope.
      const sessions = await supertest(app).get(`${prefix}/2.2.1/sessions`)
      expect(sessions.status).toBe(404)
      expect(sessions.headers['content-type']).toMatch(/^text\/html/)
    })

    it('routes HubClientInfo to the core when the SDK serves it, and leaves it to the host otherwise', async () => {
      const paths = ['/2.2.1/hubclientinfo', '/2.2.1/hubclientinfo/', '/2.2.1/hubclientinfo/DE/ABC']
      const served = express()
      served.use(
        prefix,
        ocpiRouter(makeOcpi(baseUrl, CPO, { hubClientInfo: { receiver: true, sender: true } })),
      )
      for (const path of paths) {
        const response = await supertest(served).get(`${prefix}${path}`)
        expect([path, response.status]).toEqual([path, 401])
        expect(response.body).toMatchObject({ status_code: OcpiStatus.CLIENT_ERROR })
      }
      const notServed = express()
      notServed.use(prefix, ocpiRouter(makeOcpi(baseUrl, CPO)))
      notServed.use(prefix, (_req, res) => {
        res.send('host')
      })
      for (const path of paths) expect((await supertest(notServed).get(`${prefix}${path}`)).text).toBe('host')
    })

    describe.each([
      { json: false, label: 'without a body parser' },
      { json: true, label: 'behind express.json()' },
    ])('$label', ({ json }) => {
      it('registers (POST), uses the link through ocpiAuth, rotates (PUT) and unregisters (DELETE)', async () => {
        const { cpo, emsp, cpoPeerId, emspPeer } = await linkThroughExpress(
          (ocpi) => hostApp(express, ocpi, prefix, { json }),
          baseUrl,
        )
        expect(emspPeer).toMatchObject({ state: 'registered', version: '2.3.0' })
        expect(await cpo.getPeer(cpoPeerId)).toMatchObject({ state: 'registered' })

        const call = await emsp.client(emspPeer.id).request('locations', 'SENDER')
        expect([call.status, call.statusCode]).toEqual([200, 1000])
        expect(call.data).toEqual({ peer: cpoPeerId, version: '2.3.0' })

        await emsp.rotate(emspPeer.id, { version: '2.2.1' })
        const after = await emsp.client(emspPeer.id).request('locations', 'SENDER')
        expect(after.data).toEqual({ peer: cpoPeerId, version: '2.2.1' })

        const { remote } = await emsp.unregister(emspPeer.id)
        expect(remote).toBe('confirmed')
        expect(await cpo.getPeer(cpoPeerId)).toMatchObject({ state: 'unregistered' })
      })

      it('answers an invalid credentials object with the core’s envelope', async () => {
        const ocpi = makeOcpi(baseUrl, CPO)
        const app = hostApp(express, ocpi, prefix, { json })
        const { token } = await ocpi.invite()
        const response = await supertest(app)
          .post(`${prefix}/2.2.1/credentials`)
          .set('authorization', `Token ${token}`)
          .send({ token: 'x' })
        expect(response.body).toMatchObject({ status_code: OcpiStatus.INVALID_PARAMETERS })
      })
    })

    it('answers a body that is not JSON with the core’s 400 envelope (no body parser in front)', async () => {
      const ocpi = makeOcpi(baseUrl, CPO)
      const app = hostApp(express, ocpi, prefix)
      const { token } = await ocpi.invite()
      const response = await supertest(app)
        .post(`${prefix}/2.2.1/credentials`)
        .set('authorization', `Token ${token}`)
        .set('content-type', 'application/json')
        .send('{"token": ')
      expect(response.status).toBe(400)
      expect(response.body).toMatchObject({ status_code: OcpiStatus.CLIENT_ERROR })
    })
  })

  describe('ocpiAuth', () => {
    /** A host app whose `locations` module records the peer it saw and echoes the body it parsed. */
    const withModule = (ocpi: Ocpi, seen: AuthenticatedPeer[]) => {
      const app = express()
      app.use('/ocpi', ocpiRouter(ocpi))
      const auth = ocpiAuth(ocpi, { module: 'locations' })
      app.get('/ocpi/:version/locations', auth, (_req, res) => {
        expectTypeOf(res.locals.ocpiPeer).toEqualTypeOf<AuthenticatedPeer | undefined>()
        expect(res.locals.ocpiPeer).toBe(ocpiPeerOf(res))
        seen.push(ocpiPeerOf(res))
        res.json(envelope([]))
      })
      // The body parser runs after the auth middleware: the body must still be there.
      app.put('/ocpi/:version/locations/:country/:party/:id', auth, express.json(), (req, res) => {
        res.json(envelope({ received: req.body, peer: ocpiPeerOf(res).id }))
      })
      return app
    }

    it('puts the peer on res.locals.ocpiPeer (typed) and ocpiPeerOf(res) returns it', async () => {
      const seen: AuthenticatedPeer[] = []
      const { emsp, cpoPeerId, emspPeerId } = await linkThroughExpress((ocpi) => withModule(ocpi, seen))
      const call = await emsp.client(emspPeerId).request('locations', 'SENDER')
      expect([call.status, call.statusCode]).toEqual([200, 1000])
      expect(seen).toHaveLength(1)
      expect(seen[0]).toMatchObject({
        id: cpoPeerId,
        version: '2.3.0',
        parties: [expect.objectContaining(EMSP)],
      })
    })

    it('leaves the request body to the handlers after it', async () => {
      const { emsp, cpoPeerId, emspPeerId } = await linkThroughExpress((ocpi) => withModule(ocpi, []))
      const call = await emsp
        .client(emspPeerId)
        .request('locations', 'SENDER', { method: 'PUT', path: '/NL/CPO/LOC1', body: { id: 'LOC1' } })
      expect([call.status, call.statusCode]).toEqual([200, 1000])
      expect(call.data).toEqual({ received: { id: 'LOC1' }, peer: cpoPeerId })
    })

    it('serves repeated calls from the cache, yet refuses a forged party and a revoked token at once', async () => {
      const seen: AuthenticatedPeer[] = []
      const sent: (string | undefined)[] = []
      const { cpo, emsp, app, cpoPeerId, emspPeerId } = await linkThroughExpress((ocpi) => {
        const host = express()
        host.use((req, _res, next) => {
          if (req.path.endsWith('/locations')) sent.push(req.get('authorization'))
          next()
        })
        return host.use(withModule(ocpi, seen))
      })
      const client = emsp.client(emspPeerId)
      const slowPath = vi.spyOn(cpo, 'authenticate')
      for (let i = 0; i < 3; i++) expect((await client.request('locations', 'SENDER')).status).toBe(200)
      expect(seen.map((peer) => peer.id)).toEqual([cpoPeerId, cpoPeerId, cpoPeerId])
      expect(slowPath).toHaveBeenCalledTimes(1) // the two others were answered from the cache, synchronously
      // The header the eMSP sends, now cached on the CPO: a forged OCPI-from-* is still refused.
      const authorization = sent[0] ?? ''
      expect(new Set(sent).size).toBe(1)
      const forged = await supertest(app)
        .get('/ocpi/2.3.0/locations')
        .set('authorization', authorization)
        .set('ocpi-from-country-code', 'FR')
        .set('ocpi-from-party-id', 'XXX')
      expect(forged.status).toBe(401)
      await cpo.revoke(cpoPeerId)
      const revoked = await supertest(app).get('/ocpi/2.3.0/locations').set('authorization', authorization)
      expect(revoked.status).toBe(401)
      expect(seen).toHaveLength(3)
    })

    it('refuses with the core’s OCPI 401 envelope, and the handler never runs', async () => {
      const seen: AuthenticatedPeer[] = []
      const ocpi = makeOcpi(CPO_BASE, CPO)
      const app = withModule(ocpi, seen)
      const { token: tokenA } = await ocpi.invite()
      for (const authorization of [undefined, 'Token unknown', `Token ${tokenA}`]) {
        const test = supertest(app).get('/ocpi/2.2.1/locations')
        const response = await (authorization === undefined ? test : test.set('authorization', authorization))
        expect(response.status).toBe(401)
        expect(response.headers['content-type']).toMatch(/^application\/json/)
        expect(response.body).toMatchObject({
          status_code: OcpiStatus.CLIENT_ERROR,
          timestamp: expect.any(String),
        })
      }
      expect(seen).toEqual([])
    })
  })
})

describe('ocpiPeerOf', () => {
  it('throws a wiring error naming ocpiAuth when the middleware did not run', () => {
    expect(() => ocpiPeerOf({ locals: {} })).toThrow('put ocpiAuth(ocpi, { module }) before this handler')
  })
})
