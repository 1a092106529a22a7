// The binding served on Node by @hono/node-server on loopback ports, with real sockets and the global
// fetch: two SDK instances, each in its own Hono app (one mounted at /ocpi, one at /api/ocpi), run a
// full registration, use the link through the outbound client, rotate it and end it.
import { OcpiStatus } from '@ocpi-credentials/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_AUTHORIZATION, CPO, EMSP, type ServedPlatform, servePlatform } from './platform.js'

describe('served on Node through @hono/node-server', () => {
  let a: ServedPlatform // a CPO at http://127.0.0.1:PORT/ocpi
  let b: ServedPlatform // an eMSP at http://127.0.0.1:PORT/api/ocpi

  beforeAll(async () => {
    ;[a, b] = await Promise.all([servePlatform('/ocpi', CPO), servePlatform('/api/ocpi', EMSP)])
  })
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()])
  })

  it('serves versions under each mount path, at the URLs the core publishes', async () => {
    for (const platform of [a, b]) {
      const { token } = await platform.ocpi.invite()
      const response = await fetch(platform.ocpi.versionsUrl, {
        headers: { authorization: `Token ${token}` },
      })
      expect(response.status).toBe(200)
      const body = (await response.json()) as { status_code: number; data: { url: string }[] }
      expect(body.status_code).toBe(OcpiStatus.SUCCESS)
      const base = platform.ocpi.versionsUrl.replace(/\/versions$/, '')
      expect(body.data.every((v) => v.url.startsWith(`${base}/`))).toBe(true)
    }
    expect(b.ocpi.versionsUrl).toBe(`${b.origin}/api/ocpi/versions`)
  })

  it('registers B with A over loopback, then B calls A’s locations module as the authenticated peer', async () => {
    const invitation = await a.ocpi.invite()
    const peer = await b.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    expect(peer).toMatchObject({ state: 'registered', version: '2.3.0', versionsUrl: invitation.versionsUrl })
    expect(await a.ocpi.getPeer(invitation.peerId)).toMatchObject({
      state: 'registered',
      versionsUrl: b.ocpi.versionsUrl,
    })

    const call = await b.ocpi.client(peer.id).request('locations', 'SENDER')
    expect(call).toMatchObject({
      status: 200,
      statusCode: OcpiStatus.SUCCESS,
      data: { peer: invitation.peerId, version: '2.3.0' },
    })

    // A PUT (rotation) and a DELETE (unregistration) go through the binding as well.
    await b.ocpi.rotate(peer.id)
    const afterRotation = await b.ocpi.client(peer.id).request('locations', 'SENDER')
    expect(afterRotation).toMatchObject({ status: 200, data: { peer: invitation.peerId } })
    const { remote } = await b.ocpi.unregister(peer.id)
    expect(remote).toBe('confirmed')
    expect(await a.ocpi.getPeer(invitation.peerId)).toMatchObject({ state: 'unregistered' })
  })

  it('runs the same registration through both admin APIs (A invites, B registers)', async () => {
    const admin = { authorization: ADMIN_AUTHORIZATION, 'content-type': 'application/json' }
    const invited = await fetch(`${a.origin}/admin/invitations`, {
      method: 'POST',
      headers: admin,
      body: '{}',
    })
    expect(invited.status).toBe(201)
    const { peer_id, token, versions_url } = (await invited.json()) as Record<string, string>

    const registered = await fetch(`${b.origin}/api/admin/registrations`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ versions_url, token }),
    })
    expect(registered.status).toBe(201)
    const peer = (await registered.json()) as { id: string; state: string; versions_url: string }
    expect(peer).toMatchObject({ state: 'registered', versions_url })

    const onA = await fetch(`${a.origin}/admin/peers/${encodeURIComponent(peer_id ?? '')}`, {
      headers: admin,
    })
    expect(await onA.json()).toMatchObject({ id: peer_id, state: 'registered' })
    const call = await b.ocpi.client(peer.id).request('locations', 'SENDER')
    expect(call).toMatchObject({ status: 200, data: { peer: peer_id } })

    expect((await fetch(`${b.origin}/api/admin/peers`)).status).toBe(401)
  })

  it('refuses module requests without a token, and with a TOKEN_A, with OCPI 401 envelopes', async () => {
    const url = `${a.origin}/ocpi/2.3.0/locations`

    const anonymous = await fetch(url)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({
      status_code: OcpiStatus.CLIENT_ERROR,
      status_message: expect.any(String),
      timestamp: expect.any(String),
    })

    const { token } = await a.ocpi.invite()
    const withTokenA = await fetch(url, { headers: { authorization: `Token ${token}` } })
    expect(withTokenA.status).toBe(401)
    const body = (await withTokenA.json()) as { status_code: number; status_message: string }
    expect(body.status_code).toBe(OcpiStatus.CLIENT_ERROR)
    expect(body.status_message).toContain('locations')
  })
})
