// A breach where the thief moved the link: one credentials PUT with the leaked token sets the versions
// URL to the thief's platform (a PUT may move a link: partners do change platforms). The revocation's
// re-invitation must stay bound to the origin the admin bound the invitation to, not follow the link.
import { expect, it } from 'vitest'
import { createAdminHandler } from '../src/index.js'
import { World } from './platforms.js'

const MSP = { role: 'EMSP', country_code: 'DE', party_id: 'MSP' } as const

async function breached() {
  const world = new World()
  const warnings: string[] = []
  const cpo = world.add(
    'cpo',
    { role: 'CPO', country_code: 'NL', party_id: 'CPO' },
    { logger: { warn: (message) => warnings.push(message) } },
  )
  const partner = world.add('msp', MSP)
  const invitation = await cpo.ocpi.invite({
    expectedParties: [{ country_code: 'DE', party_id: 'MSP', role: 'EMSP' }],
    expectedOrigin: 'https://msp.example.com',
  })
  const onPartner = await partner.ocpi.register({
    versionsUrl: invitation.versionsUrl,
    token: invitation.token,
  })
  // The partner uses the link: its token for us is what leaks.
  await partner.ocpi.client(onPartner.id).request('locations', 'SENDER')
  const stolen = atob((cpo.received.at(-1)?.authorization ?? '').replace(/^Token /, ''))

  // The thief runs its own platform, and moves the link there with one PUT.
  const thief = world.add('thief', MSP)
  const thiefToken = (await thief.ocpi.invite()).token
  const put = await cpo.ocpi.handle(
    new Request('https://cpo.example.com/ocpi/2.2.1/credentials', {
      method: 'PUT',
      headers: { authorization: `Token ${btoa(stolen)}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        token: thiefToken,
        url: 'https://thief.example.com/ocpi/versions',
        roles: [{ ...MSP, business_details: { name: 'MSP' } }],
      }),
    }),
  )
  expect(((await put.json()) as { status_code: number }).status_code).toBe(1000)
  expect((await cpo.ocpi.getPeer(invitation.peerId))?.versionsUrl).toBe(
    'https://thief.example.com/ocpi/versions',
  )
  // Allowed (partners do move their platforms), but said at warn: the one trace of a link taken over.
  expect(warnings.filter((m) => m.includes('moved its versions URL to another origin'))).toHaveLength(1)
  return { world, cpo, partner, thief, peerId: invitation.peerId, warnings }
}

it("revoke binds the re-invitation to the invitation's origin, not to where the thief moved the link", async () => {
  const { cpo, partner, thief, peerId, warnings } = await breached()
  warnings.length = 0
  const { invitation: fresh } = await cpo.ocpi.revoke(peerId)
  expect(fresh?.expectedOrigin).toBe('https://msp.example.com')
  expect(warnings.some((m) => m.includes('moved off the invitation'))).toBe(true)

  // The thief, should the fresh TOKEN_A leak too, cannot register from its platform; the partner can.
  await expect(
    thief.ocpi.register({ versionsUrl: cpo.ocpi.versionsUrl, token: fresh?.token ?? '' }),
  ).rejects.toMatchObject({ code: 'ERR_OCPI_PEER_REFUSED' })
  const again = await partner.ocpi.register({ versionsUrl: cpo.ocpi.versionsUrl, token: fresh?.token ?? '' })
  expect(again.state).toBe('registered')
})

it('a partner that really moved: the admin API revocation takes the new origin', async () => {
  const { cpo, peerId } = await breached()
  const admin = createAdminHandler(cpo.ocpi)
  const answer = await admin(
    new Request(`https://cpo.example.com/admin/peers/${peerId}/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expected_origin: 'https://new.msp.example.com/ocpi/versions' }),
    }),
  )
  expect(answer.status).toBe(200)
  expect(await answer.json()).toMatchObject({ expected_origin: 'https://new.msp.example.com' })

  const before = await cpo.ocpi.getPeer(peerId)
  expect(before?.expectedOrigin).toBe('https://new.msp.example.com')
  const misspelt = await admin(
    new Request(`https://cpo.example.com/admin/peers/${peerId}/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expectedOrigin: 'https://new.msp.example.com' }),
    }),
  )
  expect(misspelt.status).toBe(400)
  expect(await cpo.ocpi.getPeer(peerId)).toEqual(before)
})

it('invite, register, rotate and revoke refuse a misspelt option instead of going ahead on the default', async () => {
  const world = new World()
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' })
  const misspelt = (options: object) => options as never
  await expect(
    cpo.ocpi.invite(misspelt({ expectedorigin: 'https://msp.example.com' })),
  ).rejects.toMatchObject({
    code: 'ERR_OCPI_INVALID_INPUT',
  })
  await expect(
    cpo.ocpi.register(
      misspelt({ versionsUrl: 'https://msp.example.com/ocpi/versions', token: 'abc', encodng: 'raw' }),
    ),
  ).rejects.toMatchObject({ code: 'ERR_OCPI_INVALID_INPUT' })
  await expect(cpo.ocpi.rotate('any', misspelt({ versoin: '2.1.1' }))).rejects.toMatchObject({
    code: 'ERR_OCPI_INVALID_INPUT',
  })
  await expect(cpo.ocpi.revoke('any', misspelt({ expected_origin: null }))).rejects.toMatchObject({
    code: 'ERR_OCPI_INVALID_INPUT',
    message: 'revoke: unknown option (allowed: expectedOrigin)',
  })
  expect(await cpo.ocpi.listPeers()).toEqual([])
})
