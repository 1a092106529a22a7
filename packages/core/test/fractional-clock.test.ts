// A host clock with sub-millisecond precision (`performance.timeOrigin + performance.now()`): the SDK
// reads it as whole milliseconds, so every store keeps integers (PostgreSQL's bigint columns refuse a
// fraction) and each store sees the same times.
import { expect, it } from 'vitest'
import { World } from './platforms.js'

const MINUTE = 60_000

/** Every number in `value`, however deep, with its path. */
function numbersIn(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]]
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, inner]) => numbersIn(inner, `${path}.${key}`))
}

it('a clock that is not a whole number of milliseconds: every time stored is whole milliseconds', async () => {
  const world = new World()
  world.now += 0.7395
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' })
  const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
  const { onFrom, onTo } = await world.link(cpo, emsp)
  world.now += 5 * MINUTE + 0.25
  await cpo.ocpi.checkHealth() // a lease, a probe, the contact
  await emsp.ocpi.rotate(onTo) // pending and previous tokens, with their expiries
  await emsp.ocpi.client(onTo).request('locations', 'SENDER')

  const stored = [cpo, emsp].flatMap((platform) =>
    numbersIn({
      peers: [...platform.backing.peers.values()],
      tokens: [...platform.backing.tokens.values()],
      leases: [...platform.backing.leases.values()],
    }),
  )
  expect(stored.filter(([path]) => /At$|until$/i.test(path)).length).toBeGreaterThan(10)
  expect(stored.filter(([, n]) => !Number.isInteger(n))).toEqual([])
  expect((await cpo.ocpi.getPeer(onFrom))?.updatedAt.getTime()).toBe(Math.floor(world.now))
})
