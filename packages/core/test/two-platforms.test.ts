import { describe, expect, it } from 'vitest'
import { OcpiError } from '../src/index.js'
import { expectNoTokenIn } from './harness.js'
import { type Platform, twoPlatforms } from './two-platforms.js'

type Version = '2.1.1' | '2.2.1' | '2.3.0'

/** Registers `sender` with `receiver` (the receiver invites, the sender POSTs). */
async function link(receiver: Platform, sender: Platform, versions?: Version[]) {
  const invitation = await receiver.ocpi.invite()
  const peerOnSender = await sender.ocpi.register({
    versionsUrl: invitation.versionsUrl,
    token: invitation.token,
  })
  return { peerOnSender, peerOnReceiver: invitation.peerId, tokenA: invitation.token, versions }
}

/** Both directions of the link work: each side's outbound token is the other's inbound token. */
async function expectLinkWorks(cpo: Platform, cpoPeerId: string, emsp: Platform, emspPeerId: string) {
  const fromEmsp = await emsp.ocpi.client(emspPeerId).request('locations', 'SENDER', { path: '/NL/CPO' })
  expect([fromEmsp.status, fromEmsp.statusCode]).toEqual([200, 1000])
  const fromCpo = await cpo.ocpi.client(cpoPeerId).request('tokens', 'SENDER')
  expect([fromCpo.status, fromCpo.statusCode]).toEqual([200, 1000])
}

describe.each(['2.1.1', '2.2.1', '2.3.0'] as const)('two SDK platforms on %s', (version) => {
  const setUp = () => twoPlatforms({ cpo: { versions: [version] }, emsp: { versions: [version] } })

  it('register (eMSP → CPO), use the link both ways, rotate both ways, unregister', async () => {
    const { cpo, emsp } = setUp()
    const { peerOnSender, peerOnReceiver } = await link(cpo, emsp)
    expect(peerOnSender).toMatchObject({ state: 'registered', version, connectionStatus: 'CONNECTED' })
    expect(peerOnSender.parties.map((p) => [p.country_code, p.party_id])).toEqual([['NL', 'CPO']])
    expect(await cpo.ocpi.getPeer(peerOnReceiver)).toMatchObject({ state: 'registered', version })
    await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender.id)

    // Routing headers on functional modules from 2.2 on, never on configuration modules.
    const moduleCall = cpo.received.find((r) => r.url.includes('/locations'))
    const credentialsCalls = [...cpo.received, ...emsp.received].filter(
      (r) => !/locations|tokens/.test(r.url),
    )
    expect(credentialsCalls.length).toBeGreaterThanOrEqual(5)
    expect(credentialsCalls.every((r) => Object.keys(r.headers).every((h) => !h.startsWith('ocpi-')))).toBe(
      true,
    )
    if (version === '2.1.1') {
      expect(moduleCall?.headers['ocpi-to-party-id']).toBeUndefined()
      expect(moduleCall?.authorization).not.toMatch(/=$/)
    } else {
      expect(moduleCall?.headers).toMatchObject({
        'ocpi-from-country-code': 'DE',
        'ocpi-from-party-id': 'MSP',
        'ocpi-to-country-code': 'NL',
        'ocpi-to-party-id': 'CPO',
      })
      expect(moduleCall?.headers['x-request-id']).toBeDefined()
    }

    await emsp.ocpi.rotate(peerOnSender.id)
    await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender.id)
    await cpo.ocpi.rotate(peerOnReceiver)
    await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender.id)

    const { remote, peer } = await cpo.ocpi.unregister(peerOnReceiver)
    expect(remote).toBe('confirmed')
    expect(peer.state).toBe('unregistered')
    expect((await emsp.ocpi.getPeer(peerOnSender.id))?.state).toBe('unregistered')
    await expect(emsp.ocpi.client(peerOnSender.id).request('locations', 'SENDER')).rejects.toMatchObject({
      code: 'ERR_OCPI_WRONG_STATE',
    })
    await expect(cpo.ocpi.client(peerOnReceiver).request('tokens', 'SENDER')).rejects.toMatchObject({
      code: 'ERR_OCPI_WRONG_STATE',
    })
    expect([...cpo.backing.tokens.values(), ...emsp.backing.tokens.values()]).toEqual([])
  })

  it('register the other way (CPO → eMSP) and unregister from the sender side', async () => {
    const { cpo, emsp } = setUp()
    const { peerOnSender, peerOnReceiver } = await link(emsp, cpo)
    await expectLinkWorks(cpo, peerOnSender.id, emsp, peerOnReceiver)
    const { remote } = await cpo.ocpi.unregister(peerOnSender.id)
    expect(remote).toBe('confirmed')
    expect((await emsp.ocpi.getPeer(peerOnReceiver))?.state).toBe('unregistered')
  })
})

describe('two SDK platforms across versions', () => {
  it('choose the highest mutual version', async () => {
    const { cpo, emsp } = twoPlatforms({ emsp: { versions: ['2.2.1', '2.1.1'] } })
    const { peerOnSender } = await link(cpo, emsp)
    expect(peerOnSender.version).toBe('2.2.1')
  })

  it('a version neither side can switch to is refused before anything is sent', async () => {
    const { cpo, emsp } = twoPlatforms({
      cpo: { versions: ['2.2.1', '2.1.1'] },
      emsp: { versions: ['2.1.1'] },
    })
    const { peerOnSender } = await link(cpo, emsp)
    expect(peerOnSender.version).toBe('2.1.1')
    const before = cpo.received.length
    await expect(emsp.ocpi.rotate(peerOnSender.id, { version: '2.2.1' })).rejects.toMatchObject({
      code: 'ERR_OCPI_INVALID_INPUT',
    })
    expect(cpo.received.length).toBe(before)
  })

  it('move a link down to 2.1.1 and up again to 2.2.1 by PUT; both sides follow', async () => {
    const { cpo, emsp } = twoPlatforms({
      cpo: { versions: ['2.2.1', '2.1.1'] },
      emsp: { versions: ['2.2.1', '2.1.1'] },
    })
    const { peerOnSender, peerOnReceiver } = await link(cpo, emsp)
    expect(peerOnSender.version).toBe('2.2.1')
    expect((await emsp.ocpi.rotate(peerOnSender.id, { version: '2.1.1' })).version).toBe('2.1.1')
    expect((await cpo.ocpi.getPeer(peerOnReceiver))?.version).toBe('2.1.1')
    await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender.id)
    const lastPut = cpo.received.filter((r) => r.method === 'PUT').at(-1)
    expect(lastPut?.url).toBe('https://cpo.example.com/ocpi/2.1.1/credentials')
    expect((await emsp.ocpi.rotate(peerOnSender.id, { version: '2.2.1' })).version).toBe('2.2.1')
    expect((await cpo.ocpi.getPeer(peerOnReceiver))?.version).toBe('2.2.1')
    await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender.id)
  })

  it('concurrent rotations of one peer: exactly one wins, the other gets a clear conflict before sending', async () => {
    const { cpo, emsp } = twoPlatforms()
    const { peerOnSender, peerOnReceiver } = await link(cpo, emsp)
    const puts = () => cpo.received.filter((r) => r.method === 'PUT').length
    const before = puts()
    const results = await Promise.allSettled([
      emsp.ocpi.rotate(peerOnSender.id),
      emsp.ocpi.rotate(peerOnSender.id),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(rejected.reason).toBeInstanceOf(OcpiError)
    expect(rejected.reason.code).toBe('ERR_OCPI_CONFLICT')
    expect(puts() - before).toBe(1)
    await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender.id)
  })

  it('TOKEN_A and pending tokens are refused on functional modules (401)', async () => {
    const { cpo } = twoPlatforms()
    const invitation = await cpo.ocpi.invite()
    const response = await cpo.ocpi.authenticate(
      new Request('https://cpo.example.com/ocpi/2.2.1/locations', {
        headers: { authorization: `Token ${invitation.token}` },
      }),
      { module: 'locations' },
    )
    expect(response.ok).toBe(false)
    if (!response.ok) expect(response.response.status).toBe(401)
  })

  it('a request whose OCPI-from-* names a party that is not the peer is refused', async () => {
    const { cpo, emsp } = twoPlatforms()
    const { peerOnSender } = await link(cpo, emsp)
    const response = await emsp.ocpi
      .client(peerOnSender.id)
      .request('locations', 'SENDER', { from: { country_code: 'DE', party_id: 'MSP' } })
    expect(response.status).toBe(200)
    // Forge a request with the right token but another sender party: read the token through a rotation-free path.
    const forged = cpo.received.find((r) => r.url.includes('/locations'))
    const result = await cpo.ocpi.authenticate(
      new Request('https://cpo.example.com/ocpi/2.2.1/locations', {
        headers: {
          authorization: forged?.authorization ?? '',
          'ocpi-from-country-code': 'FR',
          'ocpi-from-party-id': 'XXX',
        },
      }),
      { module: 'locations' },
    )
    expect(result.ok).toBe(false)
  })

  it('no token, nor a piece of one, in any log line or event on either side', async () => {
    const { cpo, emsp } = twoPlatforms()
    const { peerOnSender, peerOnReceiver, tokenA } = await link(cpo, emsp)
    await emsp.ocpi.rotate(peerOnSender.id)
    await cpo.ocpi.rotate(peerOnReceiver)
    await cpo.ocpi.unregister(peerOnReceiver)
    const tokens = [
      tokenA,
      ...[...cpo.received, ...emsp.received].flatMap((r) => {
        const value = r.authorization?.replace(/^Token /, '') ?? ''
        let decoded = ''
        try {
          decoded = atob(value)
        } catch {}
        return [value, decoded].filter((t) => t.length >= 8)
      }),
    ]
    expectNoTokenIn([...cpo.lines, ...emsp.lines], tokens)
  })
})
