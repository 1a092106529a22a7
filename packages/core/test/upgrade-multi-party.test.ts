// A platform with several parties on a link that began on 2.1.1 (which carries one party, no role): the
// peer's identity lock knows that one party alone, so moving the link to 2.2.1 (either side's PUT) must
// go on presenting only it, in its role. Presenting all our parties had the peer refuse them as
// additions, or end its view of us on 2.2.1 with a party without a role, refusing our later rotations.
import { describe, expect, it } from 'vitest'
import { World } from './platforms.js'

const OUR_PARTIES = [
  { role: 'CPO' as const, country_code: 'NL', party_id: 'CPO', business_details: { name: 'cpo' } },
  { role: 'EMSP' as const, country_code: 'NL', party_id: 'MSP', business_details: { name: 'msp' } },
]

async function setUp() {
  const world = new World()
  const cpo = world.add(
    'cpo',
    { role: 'CPO', country_code: 'NL', party_id: 'CPO' },
    { versions: ['2.2.1', '2.1.1'], parties: OUR_PARTIES },
  )
  let emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' }, { versions: ['2.1.1'] })
  const { onFrom, onTo } = await world.link(emsp, cpo) // the eMSP invites, the CPO registers: 2.1.1
  expect((await cpo.ocpi.getPeer(onTo))?.version).toBe('2.1.1')
  emsp = world.reconfigure(emsp, { versions: ['2.2.1', '2.1.1'] }) // the eMSP now speaks 2.2.1 too
  return { world, cpo, emsp, cpoOnEmsp: onFrom, emspOnCpo: onTo }
}

describe('a multi-party platform on a link that began on 2.1.1', () => {
  it('upgrades it to 2.2.1 itself, presenting its one party in its role, and rotates again later', async () => {
    const { world, cpo, emsp, cpoOnEmsp, emspOnCpo } = await setUp()
    await expect(cpo.ocpi.rotate(emspOnCpo, { version: '2.2.1' })).resolves.toMatchObject({
      version: '2.2.1',
    })
    expect((await emsp.ocpi.getPeer(cpoOnEmsp))?.parties).toEqual([
      expect.objectContaining({ role: 'CPO', country_code: 'NL', party_id: 'CPO' }),
    ])
    world.now += 60 * 60_000
    await expect(cpo.ocpi.rotate(emspOnCpo)).resolves.toMatchObject({ version: '2.2.1' })
    const call = await cpo.ocpi.client(emspOnCpo).request('tokens', 'SENDER')
    expect(call.status).toBe(200)
    // It names only the party the peer knows, and refuses to name the other one.
    await expect(
      cpo.ocpi
        .client(emspOnCpo)
        .request('tokens', 'SENDER', { from: { country_code: 'NL', party_id: 'MSP' } }),
    ).rejects.toMatchObject({ code: 'ERR_OCPI_INVALID_INPUT' })
  })

  it('upgraded by the peer, answers with its one party: the peer locks its role, and later rotations pass', async () => {
    const { world, cpo, emsp, cpoOnEmsp, emspOnCpo } = await setUp()
    const upgraded = await emsp.ocpi.rotate(cpoOnEmsp, { version: '2.2.1' })
    expect(upgraded.parties).toEqual([
      expect.objectContaining({ role: 'CPO', country_code: 'NL', party_id: 'CPO' }),
    ])
    // The scheduled rotation, a month later, passes the peer's lock: its view stays our one party.
    world.now += 31 * 24 * 60 * 60_000
    expect(await cpo.ocpi.rotateStale()).toEqual({ rotated: [emspOnCpo], failed: [] })
    expect((await emsp.ocpi.getPeer(cpoOnEmsp))?.parties).toHaveLength(1)
  })
})
