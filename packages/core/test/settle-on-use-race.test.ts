// A PUT made with our pending token promotes it first; the PUT's own commit then meets a concurrent
// write to the record (another instance's health pass, say): it is committed over, not refused, so that
// the promotion never stands alone (the mark gone, our outbound token the one the peer drops).
import { describe, expect, it } from 'vitest'
import { createMemoryBacking, memoryStore, type OutboundToken } from '../src/index.js'
import { createSealer } from '../src/tokens/sealing.js'
import { SEALING_KEY } from './harness.js'
import { World } from './platforms.js'

const MINUTE = 60_000

describe('a peer PUT with our pending token, meeting a concurrent write', () => {
  it('is committed over the concurrent write; the link works on the new tokens', async () => {
    const world = new World()
    const inner = memoryStore({ backing: createMemoryBacking() })
    let interfere = false
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver)
        if (prop !== 'commitToken') return typeof value === 'function' ? value.bind(target) : value
        return async (args: Parameters<typeof inner.commitToken>[0]) => {
          const stored = await inner.commitToken(args)
          if (interfere && stored !== null && args.grace === null && 'pending' in args.token) {
            interfere = false
            // Another instance writes the record between the two commits (any CAS on the peer).
            await inner.casPeer(args.peerId, stored.revision, { ...stored, revision: stored.revision + 1 })
          }
          return stored
        }
      },
    })
    const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { store })
    const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
    const { onFrom: peerId, onTo: emspPeerId } = await world.link(cpo, emsp)
    world.lost.add(`PUT ${emsp.origin} /ocpi/2.2.1/credentials`)
    world.lost.add(`GET ${emsp.origin} /ocpi/2.2.1/credentials`)
    await expect(cpo.ocpi.rotate(peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN' })
    world.lost.clear()
    const before = await inner.getPeer(peerId)
    expect(before?.state === 'registered' && before.rotation?.outcome).toBe('unknown')

    interfere = true
    // The peer (which took our PUT) rotates with our pending token: committed over the concurrent write.
    await expect(emsp.ocpi.rotate(emspPeerId)).resolves.toMatchObject({ state: 'registered' })
    const after = await inner.getPeer(peerId)
    expect(after?.state === 'registered' && after.rotation).toBe(undefined)
    world.now += 11 * MINUTE
    expect((await cpo.ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(200)
    expect((await emsp.ocpi.client(emspPeerId).request('locations', 'SENDER')).status).toBe(200)
  })

  it('our side keeps calling the peer after its grace window', async () => {
    const world = new World()
    const inner = memoryStore({ backing: createMemoryBacking() })
    let interfere = false
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver)
        if (prop !== 'commitToken') return typeof value === 'function' ? value.bind(target) : value
        return async (args: Parameters<typeof inner.commitToken>[0]) => {
          const stored = await inner.commitToken(args)
          if (interfere && stored !== null && args.grace === null && 'pending' in args.token) {
            interfere = false
            await inner.casPeer(args.peerId, stored.revision, { ...stored, revision: stored.revision + 1 })
          }
          return stored
        }
      },
    })
    const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { store })
    const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
    const { onFrom: peerId, onTo: emspPeerId } = await world.link(cpo, emsp)
    world.lost.add(`PUT ${emsp.origin} /ocpi/2.2.1/credentials`)
    world.lost.add(`GET ${emsp.origin} /ocpi/2.2.1/credentials`)
    await expect(cpo.ocpi.rotate(peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN' })
    world.lost.clear()
    interfere = true
    await emsp.ocpi.rotate(emspPeerId).catch(() => undefined)
    world.now += 30_000
    await cpo.ocpi.checkHealth()
    world.now += 11 * MINUTE
    await cpo.ocpi.checkHealth()
    const status = await cpo.ocpi
      .client(peerId)
      .request('tokens', 'SENDER')
      .then(
        (r) => r.status,
        (e: unknown) => String((e as { code?: string }).code),
      )
    expect(status).toBe(200)
  })
})

it('… and over a re-seal of our outbound token (same token, new sealed text), as reseal() writes', async () => {
  const world = new World()
  const sealer = createSealer([{ kid: 'k', key: SEALING_KEY }])
  const inner = memoryStore({ backing: createMemoryBacking() })
  let interfere = false
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver)
      if (prop !== 'commitToken') return typeof value === 'function' ? value.bind(target) : value
      return async (args: Parameters<typeof inner.commitToken>[0]) => {
        const stored = await inner.commitToken(args)
        if (
          interfere &&
          stored !== null &&
          stored.state === 'registered' &&
          args.grace === null &&
          'pending' in args.token
        ) {
          interfere = false
          // What reseal() writes: the same outbound token, sealed again.
          const outbound = await sealer.seal((await sealer.unseal(stored.link.outbound)) as OutboundToken)
          await inner.casPeer(args.peerId, stored.revision, {
            ...stored,
            revision: stored.revision + 1,
            link: { ...stored.link, outbound },
          })
        }
        return stored
      }
    },
  })
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { store })
  const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
  const { onFrom: peerId, onTo: emspPeerId } = await world.link(cpo, emsp)
  world.lost.add(`PUT ${emsp.origin} /ocpi/2.2.1/credentials`)
  world.lost.add(`GET ${emsp.origin} /ocpi/2.2.1/credentials`)
  await expect(cpo.ocpi.rotate(peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN' })
  world.lost.clear()
  interfere = true
  await expect(emsp.ocpi.rotate(emspPeerId)).resolves.toMatchObject({ state: 'registered' })
})
