// A PUT made with our pending token promotes it first; the PUT's own commit then meets a concurrent
// write to the record (another instance's health pass, say): it is committed over, not refused, so that
// the promotion never stands alone (the mark gone, our outbound token the one the peer drops).
import { describe, expect, it } from 'vitest'
import {
  createMemoryBacking,
  memoryStore,
  type OutboundToken,
  type PeerRecord,
  type RegisteredPeer,
} from '../src/index.js'
import { createSealer } from '../src/tokens/sealing.js'
import { SEALING_KEY } from './harness.js'
import { intercept, World } from './platforms.js'

const MINUTE = 60_000

/**
 * A CPO whose rotation of its link with an eMSP ended unknown (the eMSP took the PUT), over a store that,
 * once `arm()`ed, writes the record with `write` right after the promotion of our pending token (the
 * commit that promotes a pending token without grace), as another writer would.
 */
async function unsettledWithInterference(write: (stored: RegisteredPeer) => Promise<PeerRecord>) {
  const world = new World()
  const inner = memoryStore({ backing: createMemoryBacking() })
  let armed = false
  const store = intercept(inner, 'commitToken', (commit) => async (args) => {
    const stored = await commit(args)
    if (armed && stored?.state === 'registered' && args.grace === null && 'pending' in args.token) {
      armed = false
      const next = await write(stored)
      await inner.casPeer(args.peerId, stored.revision, { ...next, revision: stored.revision + 1 })
    }
    return stored
  })
  const cpo = world.add('cpo', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }, { store })
  const emsp = world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' })
  const { onFrom: peerId, onTo: emspPeerId } = await world.link(cpo, emsp)
  world.lost.add(`PUT ${emsp.origin} /ocpi/2.2.1/credentials`)
  world.lost.add(`GET ${emsp.origin} /ocpi/2.2.1/credentials`)
  await expect(cpo.ocpi.rotate(peerId)).rejects.toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN' })
  world.lost.clear()
  const arm = () => {
    armed = true
  }
  return { world, inner, cpo, emsp, peerId, emspPeerId, arm }
}

/** Another instance writes the record between the two commits (any compare-and-swap on the peer). */
const anyWrite = async (stored: RegisteredPeer) => stored

describe('a peer PUT with our pending token, meeting a concurrent write', () => {
  it('is committed over the concurrent write; the link works on the new tokens', async () => {
    const { world, inner, cpo, emsp, peerId, emspPeerId, arm } = await unsettledWithInterference(anyWrite)
    const before = await inner.getPeer(peerId)
    expect(before?.state === 'registered' && before.rotation?.outcome).toBe('unknown')

    arm()
    // The peer (which took our PUT) rotates with our pending token: committed over the concurrent write.
    await expect(emsp.ocpi.rotate(emspPeerId)).resolves.toMatchObject({ state: 'registered' })
    const after = await inner.getPeer(peerId)
    expect(after?.state === 'registered' && after.rotation).toBe(undefined)
    world.now += 11 * MINUTE
    expect((await cpo.ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(200)
    expect((await emsp.ocpi.client(emspPeerId).request('locations', 'SENDER')).status).toBe(200)
  })

  it('our side keeps calling the peer after its grace window', async () => {
    const { world, cpo, emsp, peerId, emspPeerId, arm } = await unsettledWithInterference(anyWrite)
    arm()
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

  it('… and over a re-seal of our outbound token (same token, new sealed text), as reseal() writes', async () => {
    const sealer = createSealer([{ kid: 'k', key: SEALING_KEY }])
    const { emsp, emspPeerId, arm } = await unsettledWithInterference(async (stored) => {
      const outbound = await sealer.seal((await sealer.unseal(stored.link.outbound)) as OutboundToken)
      return { ...stored, link: { ...stored.link, outbound } }
    })
    arm()
    await expect(emsp.ocpi.rotate(emspPeerId)).resolves.toMatchObject({ state: 'registered' })
  })
})
