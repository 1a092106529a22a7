// The admin API end to end: two in-process SDK platforms, each with its admin handler, run the whole
// story through JSON only (invite → register → list/get → rotate → unregister → revoke and re-register).
import { describe, expect, it } from 'vitest'
import { expectNoTokenIn } from '../../test/harness.js'
import { type Platform, twoPlatforms } from '../../test/two-platforms.js'
import { createAdminHandler } from './handler.js'
import type {
  AdminInvitation,
  AdminPeer,
  AdminPeerList,
  AdminRevocation,
  AdminUnregistration,
} from './json.js'

interface Answer {
  status: number
  headers: Headers
  text: string
  json: unknown
}

/** Calls a platform's admin handler mounted at `/admin`, the way a binding would. */
function adminOf(platform: Platform) {
  const admin = createAdminHandler(platform.ocpi)
  return async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const init: RequestInit = { method }
    if (body !== undefined) {
      init.body = JSON.stringify(body)
      init.headers = { 'content-type': 'application/json' }
    }
    const response = await admin(new Request(`${platform.base}/admin${path}`, init))
    const text = await response.text()
    return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as unknown }
  }
}

/** Every token the two platforms exchanged: what each received in `Authorization`, raw and decoded. */
function tokensSeen(...platforms: Platform[]): string[] {
  const tokens: string[] = []
  for (const platform of platforms) {
    for (const { authorization } of platform.received) {
      const value = authorization?.replace(/^Token /, '')
      if (value === undefined || value === '') continue
      tokens.push(value)
      try {
        const decoded = atob(value)
        if (/^[\x21-\x7E]+$/.test(decoded)) tokens.push(decoded)
      } catch {}
    }
  }
  return [...new Set(tokens)]
}

const PEER_KEYS = [
  'connection_status',
  'created_at',
  'expected_origin',
  'expected_parties',
  'id',
  'last_contact_at',
  'parties',
  'state',
  'updated_at',
  'version',
  'versions_url',
]

describe('the admin API, end to end between two SDK platforms', () => {
  it('invites, registers, lists, rotates, unregisters and revokes through JSON only, never showing a token in a peer', async () => {
    const { cpo, emsp } = twoPlatforms()
    const cpoAdmin = adminOf(cpo)
    const emspAdmin = adminOf(emsp)
    const peerTexts: string[] = []
    const tokens: string[] = []

    // Invite on the CPO.
    const invited = await cpoAdmin('POST', '/invitations', {
      expires_in_seconds: 3600,
      expected_parties: [{ country_code: 'de', party_id: 'msp', role: 'EMSP' }],
    })
    expect(invited.status).toBe(201)
    expect(invited.headers.get('content-type')).toBe('application/json')
    expect(invited.headers.get('cache-control')).toBe('no-store')
    const invitation = invited.json as AdminInvitation
    expect(Object.keys(invitation).sort()).toEqual([
      'expected_origin',
      'expires_at',
      'peer_id',
      'token',
      'versions_url',
    ])
    expect(invitation.expected_origin).toBeNull()
    expect(invitation.versions_url).toBe('https://cpo.example.com/ocpi/versions')
    expect(Date.parse(invitation.expires_at) - Date.now()).toBeGreaterThan(3500_000)
    expect(Date.parse(invitation.expires_at) - Date.now()).toBeLessThanOrEqual(3600_000)
    expect(invited.headers.get('location')).toBe(`/admin/peers/${invitation.peer_id}`)
    tokens.push(invitation.token)

    const pending = await cpoAdmin('GET', `/peers/${invitation.peer_id}`)
    expect(pending.status).toBe(200)
    expect(pending.json).toMatchObject({
      id: invitation.peer_id,
      state: 'invited',
      version: null,
      versions_url: null,
      parties: [],
      // What the TOKEN_A is bound to, for the admin to check before handing it over.
      expected_parties: [{ country_code: 'DE', party_id: 'MSP', role: 'EMSP' }],
      expected_origin: null,
      connection_status: 'PLANNED',
      last_contact_at: null,
    })
    peerTexts.push(pending.text)

    // Register on the eMSP with that TOKEN_A.
    const registered = await emspAdmin('POST', '/registrations', {
      versions_url: invitation.versions_url,
      token: invitation.token,
      encoding: 'base64',
    })
    expect(registered.status).toBe(201)
    const emspPeer = registered.json as AdminPeer
    expect(Object.keys(emspPeer).sort()).toEqual(PEER_KEYS)
    expect(emspPeer).toMatchObject({
      state: 'registered',
      version: '2.3.0',
      versions_url: 'https://cpo.example.com/ocpi/versions',
      parties: [{ role: 'CPO', country_code: 'NL', party_id: 'CPO' }],
      connection_status: 'CONNECTED',
    })
    expect(emspPeer.last_contact_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(registered.headers.get('location')).toBe(`/admin/peers/${emspPeer.id}`)
    peerTexts.push(registered.text)

    // List and get, on both sides.
    const cpoPeer = await cpoAdmin('GET', `/peers/${encodeURIComponent(invitation.peer_id)}`)
    expect(cpoPeer.json).toMatchObject({
      state: 'registered',
      version: '2.3.0',
      versions_url: 'https://emsp.example.com/ocpi/versions',
      parties: [{ role: 'EMSP', country_code: 'DE', party_id: 'MSP' }],
    })
    peerTexts.push(cpoPeer.text)
    const list = await cpoAdmin('GET', '/peers')
    expect(list.status).toBe(200)
    expect(list.json).toEqual({ peers: [cpoPeer.json], next: null })
    peerTexts.push(list.text)
    expect((await cpoAdmin('GET', '/peers?state=invited')).json).toEqual({ peers: [], next: null })
    const emspList = await emspAdmin('GET', '/peers/?state=registered&limit=10')
    expect((emspList.json as AdminPeerList).peers.map((p) => p.id)).toEqual([emspPeer.id])
    peerTexts.push(emspList.text)

    // Rotate, then rotate to another version.
    const rotated = await emspAdmin('POST', `/peers/${emspPeer.id}/rotation`)
    expect(rotated.status).toBe(200)
    expect(rotated.json).toMatchObject({ id: emspPeer.id, state: 'registered', version: '2.3.0' })
    peerTexts.push(rotated.text)
    const moved = await emspAdmin('POST', `/peers/${emspPeer.id}/rotation`, { version: '2.2.1' })
    expect(moved.status).toBe(200)
    expect(moved.json).toMatchObject({ state: 'registered', version: '2.2.1' })
    peerTexts.push(moved.text)
    expect((await cpoAdmin('GET', `/peers/${invitation.peer_id}`)).json).toMatchObject({ version: '2.2.1' })
    // The rotated link works both ways.
    const call = await emsp.ocpi.client(emspPeer.id).request('locations', 'SENDER')
    expect(call.status).toBe(200)

    // Unregister from the eMSP side: the CPO hears the DELETE.
    const ended = await emspAdmin('DELETE', `/peers/${emspPeer.id}`)
    expect(ended.status).toBe(200)
    const unregistration = ended.json as AdminUnregistration
    expect(unregistration).toMatchObject({ id: emspPeer.id, state: 'unregistered', remote: 'confirmed' })
    expect(Object.keys(unregistration).sort()).toEqual([...PEER_KEYS, 'remote'].sort())
    peerTexts.push(ended.text)
    expect((await cpoAdmin('GET', `/peers/${invitation.peer_id}`)).json).toMatchObject({
      state: 'unregistered',
      connection_status: 'SUSPENDED',
    })

    // A breach: a new link, revoked by the CPO; the fresh TOKEN_A registers the eMSP again.
    const second = (await cpoAdmin('POST', '/invitations')).json as AdminInvitation
    tokens.push(second.token)
    const secondOnEmsp = (
      await emspAdmin('POST', '/registrations', { versions_url: second.versions_url, token: second.token })
    ).json as AdminPeer
    const revoked = await cpoAdmin('POST', `/peers/${second.peer_id}/revocation`)
    expect(revoked.status).toBe(200)
    const revocation = revoked.json as AdminRevocation
    expect(Object.keys(revocation).sort()).toEqual([
      'expected_origin',
      'expires_at',
      'peer',
      'token',
      'versions_url',
    ])
    // Bound to the origin of the revoked link: the eMSP's platform.
    expect(revocation.expected_origin).toBe('https://emsp.example.com')
    expect(revocation.peer).toMatchObject({ id: second.peer_id, state: 'invited' })
    expect(revocation.token).not.toBe(second.token)
    expect(revocation.versions_url).toBe(second.versions_url)
    expect(Number.isNaN(Date.parse(revocation.expires_at ?? ''))).toBe(false)
    peerTexts.push(JSON.stringify(revocation.peer))
    tokens.push(revocation.token ?? '')

    // The eMSP's old link is dead on the CPO: its DELETE is not heard as a registration any more.
    const orphan = await emspAdmin('DELETE', `/peers/${secondOnEmsp.id}`)
    expect(orphan.json).toMatchObject({ state: 'unregistered', remote: 'not-registered' })
    peerTexts.push(orphan.text)

    const again = await emspAdmin('POST', '/registrations', {
      versions_url: revocation.versions_url,
      token: revocation.token,
    })
    expect(again.status).toBe(201)
    expect(again.json).toMatchObject({ state: 'registered' })
    peerTexts.push(again.text)
    expect((await cpoAdmin('GET', `/peers/${second.peer_id}`)).json).toMatchObject({ state: 'registered' })

    // Revoking a link we started ourselves hands out no token: the peer's admin must give a new one.
    const own = await emspAdmin('POST', `/peers/${(again.json as AdminPeer).id}/revocation`)
    expect(own.status).toBe(200)
    expect(Object.keys(own.json as object)).toEqual(['peer'])
    expect((own.json as AdminRevocation).peer).toMatchObject({ state: 'unregistered' })
    peerTexts.push(own.text)

    // No token, nor any piece of one, in any peer JSON.
    const exchanged = tokensSeen(cpo, emsp)
    expect(exchanged.length).toBeGreaterThan(5)
    expect(() => expectNoTokenIn(peerTexts, [...tokens, ...exchanged])).not.toThrow()
    for (const text of peerTexts) expect(text).not.toMatch(/token/i)
  })

  it('pages GET /peers by id with limit and after', async () => {
    const { cpo } = twoPlatforms()
    const admin = adminOf(cpo)
    const ids: string[] = []
    for (let i = 0; i < 5; i++)
      ids.push(((await admin('POST', '/invitations')).json as AdminInvitation).peer_id)
    ids.sort()
    const seen: string[] = []
    let after: string | null = null
    const pages: number[] = []
    do {
      const query: string = after === null ? '?limit=2' : `?limit=2&after=${encodeURIComponent(after)}`
      const page = (await admin('GET', `/peers${query}`)).json as AdminPeerList
      pages.push(page.peers.length)
      seen.push(...page.peers.map((p) => p.id))
      after = page.next
    } while (after !== null)
    expect(pages).toEqual([2, 2, 1])
    expect(seen).toEqual(ids)

    const exact = (await admin('GET', '/peers?limit=5')).json as AdminPeerList
    expect([exact.peers.length, exact.next]).toEqual([5, null])
    const all = (await admin('GET', '/peers')).json as AdminPeerList
    expect(all.peers.map((p) => p.id)).toEqual(ids)
    expect((await admin('GET', '/peers?state=registered')).json).toEqual({ peers: [], next: null })
  })

  it('honours an async authorize that lets the request through', async () => {
    const { cpo } = twoPlatforms()
    const admin = createAdminHandler(cpo.ocpi, {
      authorize: async (request) => request.headers.get('authorization') === 'Bearer admin-secret',
    })
    const ok = await admin(
      new Request('https://cpo.example.com/x/y/admin/invitations', {
        method: 'POST',
        headers: { authorization: 'Bearer admin-secret' },
      }),
    )
    expect(ok.status).toBe(201)
    expect(ok.headers.get('location')).toMatch(/^\/x\/y\/admin\/peers\//)
  })
})
