// An invitation bound to the partner's origin (`expectedOrigin`): the POSTed versions URL must be on it,
// so our callback discovery asks the partner's own platform whether the token it was given is real.
// Party ids are public: expected parties alone do not stop a stranger holding a leaked TOKEN_A.
import { describe, expect, it } from 'vitest'
import type { OcpiEvents } from '../src/index.js'
import { type Platform, World } from './platforms.js'

const MSP = { role: 'EMSP', country_code: 'DE', party_id: 'MSP' } as const
const EXPECTED = [{ country_code: 'DE', party_id: 'MSP', role: 'EMSP' }]

/** Everything a platform's store holds, to prove a refusal changed nothing. */
function snapshot(platform: Platform): string {
  return JSON.stringify([[...platform.backing.peers.entries()], [...platform.backing.tokens.entries()]])
}

function failuresOf(platform: Platform): OcpiEvents['registration-failed'][] {
  const failures: OcpiEvents['registration-failed'][] = []
  platform.ocpi.on('registration-failed', (e) => failures.push(e))
  return failures
}

function setUp() {
  const world = new World()
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' })
  return { world, cpo }
}

describe('a leaked TOKEN_A', () => {
  it('with expected parties only, a stranger presenting the public party ids registers (the documented limit)', async () => {
    const { world, cpo } = setUp()
    const invitation = await cpo.ocpi.invite({ expectedParties: EXPECTED })
    const stranger = world.add('stranger', MSP)
    await stranger.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    expect(await cpo.ocpi.getPeer(invitation.peerId)).toMatchObject({
      state: 'registered',
      versionsUrl: 'https://stranger.example.com/ocpi/versions',
    })
  })

  it('bound to the partner’s origin, a stranger on its own platform is refused, changing nothing, and the partner registers', async () => {
    const { world, cpo } = setUp()
    const invitation = await cpo.ocpi.invite({
      expectedParties: EXPECTED,
      expectedOrigin: 'https://msp.example.com/ocpi/versions',
    })
    expect(invitation.expectedOrigin).toBe('https://msp.example.com')
    const failures = failuresOf(cpo)
    const before = snapshot(cpo)

    const stranger = world.add('stranger', MSP)
    await expect(
      stranger.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token }),
    ).rejects.toMatchObject({ code: 'ERR_OCPI_PEER_REFUSED' })
    expect(failures).toEqual([
      {
        peerId: invitation.peerId,
        direction: 'inbound',
        code: 'ERR_OCPI_ORIGIN_NOT_EXPECTED',
        message: 'url: not on the origin this invitation expects',
      },
    ])
    // Nothing was discovered, nothing consumed: the stranger's platform was never called.
    expect(snapshot(cpo)).toBe(before)
    expect(stranger.received.filter((r) => r.method === 'GET')).toEqual([])

    const partner = world.add('msp', MSP)
    await partner.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    expect(await cpo.ocpi.getPeer(invitation.peerId)).toMatchObject({
      state: 'registered',
      versionsUrl: 'https://msp.example.com/ocpi/versions',
    })
  })

  it('bound to the partner’s origin, a stranger naming the partner’s URL with a token of its own fails our discovery there', async () => {
    const { world, cpo } = setUp()
    const partner = world.add('msp', MSP)
    const invitation = await cpo.ocpi.invite({ expectedOrigin: 'https://msp.example.com' })
    const before = snapshot(cpo)
    const stranger = await cpo.ocpi.handle(
      new Request('https://cpo.example.com/ocpi/2.2.1/credentials', {
        method: 'POST',
        headers: { authorization: `Token ${btoa(invitation.token)}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          token: 'a-token-the-partner-never-issued-0123456789',
          url: 'https://msp.example.com/ocpi/versions',
          roles: [{ ...MSP, business_details: { name: 'not MSP' } }],
        }),
      }),
    )
    // The partner's platform refused the token: 3001, and the invitation waits for the partner.
    expect((await stranger.json()) as unknown).toMatchObject({ status_code: 3001 })
    expect(partner.received.map((r) => `${r.method} ${r.path}`)).toContain('GET /ocpi/versions')
    expect(snapshot(cpo)).toBe(before)
    await partner.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    expect((await cpo.ocpi.getPeer(invitation.peerId))?.state).toBe('registered')
  })
})

describe('invite({ expectedOrigin })', () => {
  it.each([
    ['http://msp.example.com', 'only https is allowed'],
    ['https://10.0.0.7/ocpi/versions', 'private'],
    ['https://localhost/', 'localhost'],
    ['msp.example.com', 'not a valid absolute URL'],
    ['', 'not a valid absolute URL'],
  ])('refuses %s (URL policy) and creates nothing', async (expectedOrigin, reason) => {
    const { cpo } = setUp()
    const error = await cpo.ocpi.invite({ expectedOrigin }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_OCPI_URL_REFUSED' })
    expect((error as Error).message).toMatch(/^expectedOrigin: refused/)
    expect((error as Error).message).toContain(reason)
    expect(await cpo.ocpi.listPeers()).toEqual([])
    expect(cpo.backing.tokens.size).toBe(0)
  })

  it('refuses a value that is not a string', async () => {
    const { cpo } = setUp()
    await expect(cpo.ocpi.invite({ expectedOrigin: 42 as unknown as string })).rejects.toMatchObject({
      code: 'ERR_OCPI_INVALID_INPUT',
    })
    expect(cpo.backing.tokens.size).toBe(0)
  })

  it('keeps the origin only: scheme, lower-case host, a port only when not the default', async () => {
    const { cpo, world } = setUp()
    const origins = []
    for (const url of ['HTTPS://MSP.Example.com:443/ocpi/versions?x=1', 'https://msp.example.com:8443/']) {
      origins.push((await cpo.ocpi.invite({ expectedOrigin: url })).expectedOrigin)
    }
    expect(origins).toEqual(['https://msp.example.com', 'https://msp.example.com:8443'])
    // With a policy that allows it (development), http and loopback are fine.
    const dev = world.reconfigure(cpo, { urlPolicy: { allowInsecure: true } })
    expect((await dev.ocpi.invite({ expectedOrigin: 'http://localhost:3000/ocpi' })).expectedOrigin).toBe(
      'http://localhost:3000',
    )
    expect((await dev.ocpi.invite()).expectedOrigin).toBeNull()
  })
})

describe('revoke: the re-invitation is bound to the origin of the revoked link', () => {
  async function registered() {
    const { world, cpo } = setUp()
    const partner = world.add('msp', MSP)
    const { onFrom } = await world.link(cpo, partner)
    return { world, cpo, partner, peerId: onFrom }
  }

  it('by default: whoever stole the link cannot take the fresh TOKEN_A from its own platform; the partner can', async () => {
    const { world, cpo, partner, peerId } = await registered()
    const { invitation } = await cpo.ocpi.revoke(peerId)
    expect(invitation?.expectedOrigin).toBe('https://msp.example.com')
    const token = invitation?.token ?? ''
    const before = snapshot(cpo)
    const thief = world.add('thief', MSP)
    await expect(thief.ocpi.register({ versionsUrl: cpo.ocpi.versionsUrl, token })).rejects.toMatchObject({
      code: 'ERR_OCPI_PEER_REFUSED',
    })
    expect(snapshot(cpo)).toBe(before)
    await partner.ocpi.register({ versionsUrl: cpo.ocpi.versionsUrl, token })
    expect((await cpo.ocpi.getPeer(peerId))?.state).toBe('registered')
  })

  it('a partner that moved: revoke({ expectedOrigin }) binds the re-invitation to its new origin', async () => {
    const { world, cpo, peerId } = await registered()
    const { invitation } = await cpo.ocpi.revoke(peerId, {
      expectedOrigin: 'https://msp2.example.com/ocpi/versions',
    })
    expect(invitation?.expectedOrigin).toBe('https://msp2.example.com')
    const moved = world.add('msp2', MSP)
    await moved.ocpi.register({ versionsUrl: cpo.ocpi.versionsUrl, token: invitation?.token ?? '' })
    expect(await cpo.ocpi.getPeer(peerId)).toMatchObject({
      state: 'registered',
      versionsUrl: 'https://msp2.example.com/ocpi/versions',
    })
  })

  it('revoke({ expectedOrigin: null }) binds it to no origin', async () => {
    const { world, cpo, peerId } = await registered()
    const { invitation } = await cpo.ocpi.revoke(peerId, { expectedOrigin: null })
    expect(invitation?.expectedOrigin).toBeNull()
    const elsewhere = world.add('elsewhere', MSP)
    await elsewhere.ocpi.register({ versionsUrl: cpo.ocpi.versionsUrl, token: invitation?.token ?? '' })
    expect((await cpo.ocpi.getPeer(peerId))?.state).toBe('registered')
  })

  it('a refused expectedOrigin revokes nothing', async () => {
    const { cpo, partner, peerId } = await registered()
    const before = snapshot(cpo)
    await expect(cpo.ocpi.revoke(peerId, { expectedOrigin: 'http://msp.example.com' })).rejects.toMatchObject(
      {
        code: 'ERR_OCPI_URL_REFUSED',
      },
    )
    expect(snapshot(cpo)).toBe(before)
    const onPartner = (await partner.ocpi.listPeers())[0]?.id ?? ''
    expect((await partner.ocpi.client(onPartner).request('locations', 'SENDER')).status).toBe(200)
  })

  it('an invitation nobody answered keeps its own origin (or none)', async () => {
    const { cpo } = setUp()
    const bound = await cpo.ocpi.invite({ expectedOrigin: 'https://msp.example.com' })
    const open = await cpo.ocpi.invite()
    expect((await cpo.ocpi.revoke(bound.peerId)).invitation?.expectedOrigin).toBe('https://msp.example.com')
    expect((await cpo.ocpi.revoke(open.peerId)).invitation?.expectedOrigin).toBeNull()
  })
})
