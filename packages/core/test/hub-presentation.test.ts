// How a hub presents itself in its own credentials (reference §2.8): on 2.2.1 only itself, in role HUB;
// on 2.3.0 (no HUB role) by hub_party_id, beside the parties it reaches.
import { expect, it } from 'vitest'
import { createOcpi, memoryStore, type Ocpi, type OcpiOptions } from '../src/index.js'

const HUB = { role: 'HUB', country_code: 'NL', party_id: 'HUB', business_details: { name: 'Hub' } } as const
const REACHED = {
  role: 'CPO',
  country_code: 'DE',
  party_id: 'ABC',
  business_details: { name: 'Reached CPO' },
} as const

function hub(options: Partial<OcpiOptions>): Ocpi {
  return createOcpi({
    baseUrl: 'https://hub.example.com/ocpi',
    parties: [HUB, REACHED],
    store: memoryStore(),
    sealingKeys: [{ kid: 'k', key: new Uint8Array(32).fill(3) }],
    ...options,
  })
}

/** Our credentials as GET credentials serves them to a platform holding a fresh TOKEN_A. */
async function credentialsOf(ocpi: Ocpi, version: '2.2.1' | '2.3.0') {
  const { token } = await ocpi.invite()
  const response = await ocpi.handle(
    new Request(`https://hub.example.com/ocpi/${version}/credentials`, {
      headers: { authorization: `Token ${btoa(token)}` },
    }),
  )
  const body = (await response.json()) as {
    data: { hub_party_id?: string; roles: { role: string; country_code: string; party_id: string }[] }
  }
  return body.data
}

it('2.3.0: a platform with a HUB party and no hubPartyId states that party as hub_party_id', async () => {
  const data = await credentialsOf(hub({ versions: ['2.3.0'] }), '2.3.0')
  expect(data.hub_party_id).toBe('NLHUB')
  expect(data.roles.map((r) => `${r.role}:${r.country_code}${r.party_id}`)).toEqual(['CPO:DEABC'])
})

it('2.3.0: hubPartyId, when given, is the hub identity', async () => {
  const data = await credentialsOf(hub({ versions: ['2.3.0'], hubPartyId: 'nlhbx' }), '2.3.0')
  expect(data.hub_party_id).toBe('NLHBX')
})

it('2.2.1: a hub reports only itself, role HUB, and not the parties it reaches', async () => {
  const data = await credentialsOf(hub({ versions: ['2.2.1', '2.3.0'] }), '2.2.1')
  expect(data.roles.map((r) => `${r.role}:${r.country_code}${r.party_id}`)).toEqual(['HUB:NLHUB'])
  expect(data.hub_party_id).toBeUndefined()
})

it('2.2.1: a platform without a HUB party presents all its parties', async () => {
  const ocpi = createOcpi({
    baseUrl: 'https://cpo.example.com/ocpi',
    parties: [REACHED, { ...REACHED, role: 'EMSP' }],
    store: memoryStore(),
    sealingKeys: [{ kid: 'k', key: new Uint8Array(32).fill(3) }],
  })
  const { token } = await ocpi.invite()
  const response = await ocpi.handle(
    new Request('https://cpo.example.com/ocpi/2.2.1/credentials', {
      headers: { authorization: `Token ${btoa(token)}` },
    }),
  )
  const data = ((await response.json()) as { data: { roles: { role: string }[] } }).data
  expect(data.roles.map((r) => r.role)).toEqual(['CPO', 'EMSP'])
})
