// A 2.3.0 hub lists every party it reaches in its credentials: 10,000 parties are about 1.5 MB, in its
// POST and PUT bodies and in its answers. The default caps (inbound bodies, our request bodies, the
// peer's answers) must let such a hub register, both ways, and rotate.
import { expect, it } from 'vitest'
import { World } from './platforms.js'

const PARTIES = Array.from({ length: 10_000 }, (_, i) => ({
  role: 'CPO' as const,
  country_code: 'NL',
  party_id: i.toString(36).padStart(3, '0').toUpperCase(),
  business_details: { name: `Charging Operator ${i}`, website: `https://operator${i}.example.com` },
}))

it('a 2.3.0 hub listing 10,000 parties registers both ways and rotates under the default caps', async () => {
  const world = new World()
  const hub = world.add(
    'hub',
    { role: 'CPO', country_code: 'NL', party_id: '000' },
    { versions: ['2.3.0'], parties: PARTIES, hubPartyId: 'NLHUB' },
  )
  const emsp = world.add(
    'emsp',
    { role: 'EMSP', country_code: 'DE', party_id: 'MSP' },
    { versions: ['2.3.0'] },
  )
  const msp = world.add('msp', { role: 'EMSP', country_code: 'DE', party_id: 'MS2' }, { versions: ['2.3.0'] })

  const sent = await world.link(emsp, hub) // the hub POSTs its 10,000 parties
  expect((await emsp.ocpi.getPeer(sent.onFrom))?.parties).toHaveLength(10_000)
  const answered = await world.link(hub, msp) // the hub answers with them
  expect((await msp.ocpi.getPeer(answered.onTo))?.parties).toHaveLength(10_000)
  await expect(hub.ocpi.rotate(sent.onTo)).resolves.toMatchObject({ state: 'registered' }) // and PUTs them
}, 30_000)
