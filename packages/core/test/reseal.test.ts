// Sealing-key rotation: after `reseal`, no stored value needs an older key, so the old key can go.
import { describe, expect, it } from 'vitest'
import {
  authorizationCandidates,
  createOcpi,
  createSealer,
  memoryStore,
  type OcpiOptions,
  type SealedToken,
} from '../src/index.js'
import { SEALING_KEY } from './harness.js'
import { type Platform, twoPlatforms } from './two-platforms.js'

const NEW_KEY = { kid: 'k2', key: new Uint8Array(32).fill(9) }
const OLD_KEY = { kid: 'k', key: SEALING_KEY }

/** Every sealed value the CPO's storage holds, with the kid it was sealed under. */
function sealedKidsOf(cpo: Platform): string[] {
  const sealer = createSealer([OLD_KEY])
  const values: SealedToken[] = []
  for (const peer of cpo.backing.peers.values())
    if (peer.state === 'registered') values.push(peer.link.outbound)
  for (const token of cpo.backing.tokens.values()) if (token.successor !== null) values.push(token.successor)
  return values.map((value) => sealer.kidOf(value) ?? '(none)')
}

/** The CPO restarted with other sealing keys, over the same storage. */
function restartCpo(cpo: Platform, fetch: OcpiOptions['fetch'], sealingKeys: OcpiOptions['sealingKeys']) {
  cpo.ocpi = createOcpi({
    baseUrl: `${cpo.base}/ocpi`,
    parties: [{ role: 'CPO', country_code: 'NL', party_id: 'CPO', business_details: { name: 'CPO CPO' } }],
    modules: [{ id: 'locations', role: 'SENDER' }],
    store: memoryStore({ backing: cpo.backing }),
    sealingKeys,
    ...(fetch === undefined ? {} : { fetch }),
  })
}

describe('reseal after a sealing-key rotation', () => {
  it('seals the outbound token and a grace successor under the newest key; the old key can then go', async () => {
    const { cpo, emsp, fetch } = twoPlatforms()
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')
    const before = cpo.received.at(-1)?.authorization ?? ''
    // The eMSP rotates: the CPO keeps its previous token for the grace window, with a sealed successor.
    await emsp.ocpi.rotate(onEmsp.id)
    expect(sealedKidsOf(cpo)).toEqual(['k', 'k'])

    restartCpo(cpo, fetch, [NEW_KEY, OLD_KEY])
    const report = await cpo.ocpi.reseal()
    expect(report).toEqual({ peers: 1, tokens: 1, busy: [], unreadable: [] })
    expect(sealedKidsOf(cpo)).toEqual(['k2', 'k2'])
    expect(await cpo.ocpi.reseal()).toEqual({ peers: 0, tokens: 0, busy: [], unreadable: [] })

    // With the old key removed: the grace answer (GET with the previous token) still opens, and the
    // link works both ways (the eMSP's first use of its new token ends the grace window).
    restartCpo(cpo, fetch, [NEW_KEY])
    const viaPrevious = await cpo.ocpi.handle(
      new Request(`${cpo.base}/ocpi/2.2.1/credentials`, { headers: { authorization: before } }),
    )
    expect(viaPrevious.status).toBe(200)
    const body = (await viaPrevious.json()) as { data: { token: string } }
    expect((await cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
    const current = cpo.received.at(-1)?.authorization ?? ''
    expect(authorizationCandidates(current).includes(body.data.token)).toBe(true)
  })

  it('leaves a peer whose rotation is under way alone, and reports what no configured key opens', async () => {
    const { cpo, emsp, fetch } = twoPlatforms()
    const first = await cpo.ocpi.invite()
    const second = await cpo.ocpi.invite()
    await emsp.ocpi.register({ versionsUrl: first.versionsUrl, token: first.token })
    await emsp.ocpi.register({ versionsUrl: second.versionsUrl, token: second.token })
    // Mark the first link as rotating, as our own rotate() does before its PUT.
    const store = memoryStore({ backing: cpo.backing })
    const marked = await store.getPeer(first.peerId)
    if (marked?.state !== 'registered') throw new Error('expected a registered peer')
    const rotation = { digest: marked.link.outbound as unknown as never, startedAt: Date.now() }
    expect(await store.casPeer(marked.id, marked.revision, { ...marked, rotation })).not.toBeNull()

    restartCpo(cpo, fetch, [NEW_KEY]) // the old key is gone before resealing: nothing opens
    const report = await cpo.ocpi.reseal()
    expect(report.busy).toEqual([first.peerId])
    expect(report.unreadable).toEqual([second.peerId])
    expect(report.peers).toBe(0)
    // Nothing was changed for either of them.
    expect(sealedKidsOf(cpo)).toEqual(['k', 'k'])
  })
})
