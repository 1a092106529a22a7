// Regression tests for rotation hazards found in review: a leaked grace-window token, both sides
// rotating at once, and a rotation whose PUT answer was lost.
import { describe, expect, it } from 'vitest'
import { twoPlatforms } from './two-platforms.js'

type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>
const ATTACKER = 'https://attacker.example.net'

function attacker(request: Request): Response {
  const url = new URL(request.url)
  const envelope = (data: unknown) =>
    Response.json({ data, status_code: 1000, timestamp: '2026-11-23T10:00:00Z' })
  if (url.pathname === '/versions') return envelope([{ version: '2.2.1', url: `${ATTACKER}/2.2.1` }])
  return envelope({
    version: '2.2.1',
    endpoints: [{ identifier: 'credentials', role: 'SENDER', url: `${ATTACKER}/2.2.1/credentials` }],
  })
}

describe('rotation safety', () => {
  it('after our rotation, the replaced token can neither read the new token nor take the link over', async () => {
    let network: FetchLike = async () => {
      throw new TypeError('not wired')
    }
    const routed: FetchLike = async (input, init) => {
      const request = new Request(input, init)
      return new URL(request.url).origin === ATTACKER ? attacker(request) : network(request)
    }
    const platforms = twoPlatforms({ cpo: { fetch: routed } })
    network = platforms.fetch
    const { cpo, emsp } = platforms
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')
    const leaked = atob((cpo.received.at(-1)?.authorization ?? '').slice('Token '.length))

    await cpo.ocpi.rotate(invitation.peerId) // the CPO rotates because that token leaked

    const get = await cpo.ocpi.handle(
      new Request('https://cpo.example.com/ocpi/2.2.1/credentials', {
        headers: { authorization: `Token ${leaked}` },
      }),
    )
    const body = (await get.json()) as { data?: { token: string } }
    expect(body.data?.token).toBe(leaked) // its own token back, never the new one
    const put = await cpo.ocpi.handle(
      new Request('https://cpo.example.com/ocpi/2.2.1/credentials', {
        method: 'PUT',
        headers: { authorization: `Token ${leaked}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          token: 'attacker-owned-token-0123456789',
          url: `${ATTACKER}/versions`,
          roles: [{ role: 'EMSP', country_code: 'DE', party_id: 'MSP', business_details: { name: 'x' } }],
        }),
      }),
    )
    expect(put.status).toBe(401)
    expect((await cpo.ocpi.getPeer(invitation.peerId))?.versionsUrl).toBe(
      'https://emsp.example.com/ocpi/versions',
    )
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
  })

  it('both sides rotating at once: at most one rotation commits, and the link outlives the grace window', async () => {
    let clock = Date.parse('2026-11-23T10:00:00Z')
    const now = () => clock
    const { cpo, emsp } = twoPlatforms({ cpo: { now }, emsp: { now } })
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    const results = await Promise.allSettled([
      cpo.ocpi.rotate(invitation.peerId),
      emsp.ocpi.rotate(onEmsp.id),
    ])
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(1)
    clock += 30 * 60 * 1000
    expect((await cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
    // And a rotation afterwards goes through.
    await emsp.ocpi.rotate(onEmsp.id)
    clock += 30 * 60 * 1000
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
    expect((await cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
  })

  it('a rotation whose PUT answer was lost settles itself by asking the peer, and the link lives on', async () => {
    let clock = Date.parse('2026-11-23T10:00:00Z')
    const now = () => clock
    let network: FetchLike = async () => {
      throw new TypeError('not wired')
    }
    let loseNextPut = false
    const lossy: FetchLike = async (input, init) => {
      const request = new Request(input, init)
      const response = await network(request)
      if (request.method === 'PUT' && loseNextPut) {
        loseNextPut = false
        throw new TypeError('socket hang up')
      }
      return response
    }
    const platforms = twoPlatforms({ cpo: { now, fetch: lossy }, emsp: { now } })
    network = platforms.fetch
    const { cpo, emsp } = platforms
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    loseNextPut = true
    const events: string[] = []
    cpo.ocpi.on('rotated', () => events.push('rotated'))
    await cpo.ocpi.rotate(invitation.peerId)
    expect(events).toEqual(['rotated'])
    clock += 30 * 60 * 1000
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
    expect((await cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
  })

  it('a rotation the peer refused changes nothing and says so', async () => {
    const { cpo, emsp } = twoPlatforms({ emsp: { versions: ['2.2.1'] } })
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    const failures: unknown[] = []
    cpo.ocpi.on('rotation-failed', (e) => failures.push(e))
    // The eMSP offers only 2.2.1: a switch to 2.3.0 is refused before anything is sent.
    await expect(cpo.ocpi.rotate(invitation.peerId, { version: '2.3.0' })).rejects.toMatchObject({
      code: 'ERR_OCPI_UNSUPPORTED_VERSION',
    })
    expect(failures).toEqual([
      { peerId: invitation.peerId, code: 'ERR_OCPI_UNSUPPORTED_VERSION', outcome: 'refused' },
    ])
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
    expect((await cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
  })
})

describe('revocation (the answer to a breach)', () => {
  it('kills every token at once and hands out a fresh TOKEN_A bound to the same parties', async () => {
    const { cpo, emsp } = twoPlatforms()
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    await emsp.ocpi.rotate(onEmsp.id) // a previous token in its grace window must die too

    const { peer, invitation: fresh } = await cpo.ocpi.revoke(invitation.peerId)
    expect(peer).toMatchObject({ state: 'invited', connectionStatus: 'PLANNED' })
    expect(fresh?.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect([...cpo.backing.tokens.values()].map((t) => t.kind)).toEqual(['invitation'])
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(401)
    await expect(cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).rejects.toMatchObject({
      code: 'ERR_OCPI_WRONG_STATE',
    })

    // The offline re-exchange: the same partner registers again with the fresh TOKEN_A.
    const again = await emsp.ocpi.register({
      versionsUrl: fresh?.versionsUrl ?? '',
      token: fresh?.token ?? '',
    })
    expect(again.state).toBe('registered')
    expect((await cpo.ocpi.getPeer(invitation.peerId))?.state).toBe('registered')
    expect((await emsp.ocpi.client(again.id).request('locations', 'SENDER')).status).toBe(200)
  })

  it('a link we initiated goes to unregistered: the peer must hand us a fresh TOKEN_A', async () => {
    const { cpo, emsp } = twoPlatforms()
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    const { peer, invitation: fresh } = await emsp.ocpi.revoke(onEmsp.id)
    expect(peer.state).toBe('unregistered')
    expect(fresh).toBeNull()
    expect([...emsp.backing.tokens.values()]).toEqual([])
    expect((await cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(401)
  })
})
