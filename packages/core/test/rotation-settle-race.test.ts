// rotate() over an unsettled rotation settles it and re-reads the record; another instance may meanwhile
// have started a rotation of its own: that one must not be overwritten (two PUTs in flight at once would
// leave the link on tokens neither side holds).
import { describe, expect, it } from 'vitest'
import { createMemoryBacking, memoryStore, type Ocpi } from '../src/index.js'
import { intercept, World } from './platforms.js'

const MINUTE = 60_000

describe('rotate after settling an earlier rotation', () => {
  it('a rotation started by another instance meanwhile is not overwritten', async () => {
    const world = new World()
    let holdPut: Promise<void> | null = null
    let putHeld: (() => void) | null = null
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      if (request.method === 'PUT' && holdPut !== null) {
        const wait = holdPut
        holdPut = null
        putHeld?.()
        await wait
      }
      return world.fetch(request)
    }
    const inner = memoryStore({ backing: createMemoryBacking() })
    let countdown = 0
    let hook: (() => Promise<void>) | null = null
    const store = intercept(inner, 'getPeer', (getPeer) => async (id) => {
      if (hook !== null && --countdown === 0) {
        const h = hook
        hook = null
        await h()
      }
      return getPeer(id)
    })
    const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { fetch, store }, 2)
    const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
    const { onFrom: peerId, onTo: emspPeerId } = await world.link(cpo, emsp)
    const [a, b] = cpo.instances as [Ocpi, Ocpi]
    world.lost.add(`PUT ${emsp.origin} /ocpi/2.2.1/credentials`)
    world.lost.add(`GET ${emsp.origin} /ocpi/2.2.1/credentials`)
    await expect(a.rotate(peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN' })
    world.lost.clear()

    let release!: () => void
    let bRotation: Promise<unknown> = Promise.resolve(null)
    // A's rotate reads the record (unsettled); before its settleRotation reads it again, instance B
    // settles the rotation (its health pass, or its own rotate) and starts a new rotation whose PUT is in flight.
    countdown = 2
    hook = async () => {
      await b.rotate(peerId) // settles
      holdPut = new Promise<void>((r) => {
        release = r
      })
      const held = new Promise<void>((r) => {
        putHeld = r
      })
      bRotation = b.rotate(peerId).catch((e: unknown) => e)
      await held
    }
    const aResult = await a.rotate(peerId).catch((e: unknown) => e)
    release()
    const bResult = await bRotation
    expect(aResult).toMatchObject({ code: 'ERR_OCPI_CONFLICT' }) // B's rotation is under way
    expect(bResult).toMatchObject({ state: 'registered' })
    const puts = emsp.received.filter((r) => r.method === 'PUT').length
    world.now += 11 * MINUTE
    /** The HTTP status of a call, or the code of the error it was refused with. */
    const outcomeOf = (call: Promise<{ status: number }>) =>
      call.then(
        (r) => r.status,
        (e: unknown) => (e as { code: string }).code,
      )
    const calls = [
      await outcomeOf(cpo.ocpi.client(peerId).request('tokens', 'SENDER')),
      await outcomeOf(emsp.ocpi.client(emspPeerId).request('locations', 'SENDER')),
    ]
    // "Concurrent rotations of one peer: exactly one proceeds, the others get ERR_OCPI_CONFLICT before
    // sending anything": the lost PUT plus one more.
    expect(calls).toEqual([200, 200])
    expect(puts).toBe(2)
  })
})
