// A host middleware that read the body before the binding (an audit log, a validator): Hono keeps what
// it read, and the core still gets the body, on the admin API and on the OCPI routes alike.
import { Hono } from 'hono'
import { expect, it } from 'vitest'
import { ocpiAdmin, ocpiRoutes } from '../src/index.js'
import { CPO, makeOcpi } from './platform.js'

/** An app whose middleware reads every POST body first: through Hono (`json`, `text`) or `c.req.raw`. */
function appReadingBodies(read: 'json' | 'text' | 'raw') {
  const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
  const app = new Hono()
  const seen: unknown[] = []
  app.use('*', async (c, next) => {
    if (c.req.method === 'POST') {
      seen.push(
        read === 'json' ? await c.req.json() : read === 'text' ? await c.req.text() : await c.req.raw.text(),
      )
    }
    await next()
  })
  app.route('/ocpi', ocpiRoutes(ocpi))
  app.route('/admin', ocpiAdmin(ocpi))
  return { ocpi, app, seen }
}

/** A registration POST with TOKEN_A whose body names no parties (the core refuses it, 2001, once read). */
async function postCredentials(setup: ReturnType<typeof appReadingBodies>) {
  const invitation = await setup.ocpi.invite()
  const response = await setup.app.request('/ocpi/2.2.1/credentials', {
    method: 'POST',
    headers: { authorization: `Token ${invitation.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      token: 'a-new-token-for-us-0123456789',
      url: 'https://emsp.example.com/ocpi/versions',
    }),
  })
  return { invitation, response }
}

it.each(['json', 'text'] as const)(
  'the admin API still gets a body read as %s by a middleware',
  async (read) => {
    const { ocpi, app, seen } = appReadingBodies(read)
    const response = await app.request('/admin/invitations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expires_in_seconds: 1234 }),
    })
    expect(response.status).toBe(201)
    expect(seen).toHaveLength(1)
    // The body reached the core: the invitation lives 1234 s, not the default.
    const { peer_id, expires_at } = (await response.json()) as { peer_id: string; expires_at: string }
    const lifetime = Date.parse(expires_at) - Date.now()
    expect(lifetime).toBeGreaterThan(1_200_000)
    expect(lifetime).toBeLessThanOrEqual(1_234_000)
    expect((await ocpi.getPeer(peer_id))?.state).toBe('invited')
  },
)

it.each(['json', 'text'] as const)(
  'a credentials POST still gets its body read as %s by a middleware',
  async (read) => {
    const setup = appReadingBodies(read)
    const { invitation, response } = await postCredentials(setup)
    // The core read the body and refused it (2001), where a used body was a 500.
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ status_code: 2001 })
    expect((await setup.ocpi.getPeer(invitation.peerId))?.state).toBe('invited')
  },
)

it('a body consumed through c.req.raw itself (Hono kept nothing) gets the core’s 500 / 3000 envelope', async () => {
  const setup = appReadingBodies('raw')
  const { invitation, response } = await postCredentials(setup)
  expect(response.status).toBe(500)
  expect(await response.json()).toMatchObject({ status_code: 3000 })
  expect((await setup.ocpi.getPeer(invitation.peerId))?.state).toBe('invited')
})
