// A hub on a 2.2.1 link presents only itself in its credentials, yet forwards requests for the parties it
// serves (OCPI-from = the requesting party, §3.6): `from` may name any of our parties 2.2.1 has a role
// for, and defaults to the party the hub presented.
import { expect, it } from 'vitest'
import { World } from './platforms.js'

const HUB = { role: 'HUB', country_code: 'NL', party_id: 'HUB', business_details: { name: 'Hub' } } as const
const REACHED = {
  role: 'CPO',
  country_code: 'DE',
  party_id: 'ABC',
  business_details: { name: 'Reached' },
} as const
const MSP = { role: 'EMSP', country_code: 'DE', party_id: 'MSP' } as const

function setUp(parties: readonly (typeof HUB | typeof REACHED)[]) {
  const world = new World()
  const sentFrom: string[] = []
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const from = request.headers.get('ocpi-from-party-id')
    if (from !== null) sentFrom.push(`${request.headers.get('ocpi-from-country-code')}*${from}`)
    return world.fetch(request)
  }
  const hub = world.add('hub', HUB, { parties: [...parties], fetch })
  const emsp = world.add('msp', MSP)
  return { world, hub, emsp, sentFrom }
}

it('a 2.2.1 hub forwards a request of a party it serves (from: that party)', async () => {
  const { world, hub, emsp, sentFrom } = setUp([HUB, REACHED])
  const { onFrom } = await world.link(hub, emsp)
  const response = await hub.ocpi
    .client(onFrom)
    .request('tokens', 'SENDER', { from: { country_code: 'DE', party_id: 'ABC' } })
  expect(response.status).toBe(200)
  expect(sentFrom).toEqual(['DE*ABC'])
})

it('without `from`, a 2.2.1 hub names the party it presented (itself), whatever the order of its parties', async () => {
  const { world, hub, emsp, sentFrom } = setUp([REACHED, HUB])
  const { onFrom } = await world.link(hub, emsp)
  expect((await hub.ocpi.client(onFrom).request('tokens', 'SENDER')).status).toBe(200)
  expect(sentFrom).toEqual(['NL*HUB'])
})

it('`from` still refuses a party that is none of ours', async () => {
  const { world, hub, emsp } = setUp([HUB, REACHED])
  const { onFrom } = await world.link(hub, emsp)
  await expect(
    hub.ocpi.client(onFrom).request('tokens', 'SENDER', { from: { country_code: 'FR', party_id: 'XYZ' } }),
  ).rejects.toMatchObject({ code: 'ERR_OCPI_INVALID_INPUT' })
})
