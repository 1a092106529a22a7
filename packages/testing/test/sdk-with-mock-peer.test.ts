// The SDK against an independently written, strict mock peer: registrations both ways on every
// version, rotations both ways, the 2.1.1 → 2.2.1 upgrade, unregistration both ways, the encoding probe,
// and the mock's record of every request checked for violations (URL, token, encoding, headers).
import { describe, expect, it } from 'vitest'
import { PEER_BASE, SDK_BASE, sdkWithMockPeer } from './setup.js'

type Version = '2.1.1' | '2.2.1' | '2.3.0'

describe.each(['2.1.1', '2.2.1', '2.3.0'] as const)('the SDK with a mock peer on %s', (version: Version) => {
  const setUp = () => sdkWithMockPeer({ sdk: { versions: [version] }, peer: { versions: [version] } })

  it('registers with the mock (SDK as Sender), uses, rotates and ends the link', async () => {
    const { ocpi, peer, liveTokenKinds } = setUp()
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
    expect(registered).toMatchObject({ state: 'registered', version })
    expect(peer.state).toMatchObject({ registered: true, version, sdkVersionsUrl: `${SDK_BASE}/versions` })
    expect(peer.registeredWith?.parties.map((p) => [p.country_code, p.party_id])).toEqual([['NL', 'SDK']])
    // The mock's callback discovery during our POST used the token we sent, in the version's form.
    const callbacks = peer.exchanges.filter((e) => e.direction === 'outbound')
    expect(callbacks.map((e) => `${e.method} ${e.url}`)).toEqual([
      `GET ${SDK_BASE}/versions`,
      `GET ${SDK_BASE}/${version}`,
    ])

    const call = await ocpi.client(registered.id).request('tokens', 'SENDER')
    expect(call.status).toBe(200)

    await ocpi.rotate(registered.id)
    expect((await ocpi.client(registered.id).request('tokens', 'SENDER')).status).toBe(200)

    const { remote } = await ocpi.unregister(registered.id)
    expect(remote).toBe('confirmed')
    expect(peer.state.registered).toBe(false)
    expect(liveTokenKinds()).toEqual([])
    expect(peer.violations).toEqual([])
  })

  it('is registered by the mock (SDK as Receiver), rotated by it, and unregistered by it', async () => {
    const { ocpi, peer, liveTokenKinds } = setUp()
    const invitation = await ocpi.invite()
    const result = await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    expect(result).toMatchObject({ ok: true, statusCode: 1000 })
    expect(await ocpi.getPeer(invitation.peerId)).toMatchObject({ state: 'registered', version })

    const rotated = await peer.rotate()
    expect(rotated).toMatchObject({ ok: true, statusCode: 1000 })
    expect((await ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)

    const ended = await peer.unregister()
    expect(ended).toMatchObject({ ok: true, statusCode: 1000 })
    expect((await ocpi.getPeer(invitation.peerId))?.state).toBe('unregistered')
    expect(liveTokenKinds()).toEqual([])
    expect(peer.violations).toEqual([])
  })
})

describe('the SDK with a mock peer across versions', () => {
  it('upgrades a 2.1.1 link to 2.2.1 by PUT, from the SDK side', async () => {
    const { ocpi, peer } = sdkWithMockPeer({
      peer: { versions: ['2.1.1', '2.2.1'] },
      sdk: { versions: ['2.2.1', '2.1.1'] },
    })
    // Register on 2.1.1 by offering only 2.1.1 at first is not possible here; the mock invites, the SDK
    // picks 2.2.1, moves down to 2.1.1 and up again.
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
    expect(registered.version).toBe('2.2.1')
    expect((await ocpi.rotate(registered.id, { version: '2.1.1' })).version).toBe('2.1.1')
    expect(peer.state.version).toBe('2.1.1')
    const up = await ocpi.rotate(registered.id, { version: '2.2.1' })
    expect(up.version).toBe('2.2.1')
    expect(peer.state.version).toBe('2.2.1')
    expect(peer.registeredWith?.roles.length).toBeGreaterThan(0)
    expect(peer.violations).toEqual([])
  })

  it('follows the mock moving the link down to 2.1.1 and up again to 2.2.1 by PUT', async () => {
    const { ocpi, peer } = sdkWithMockPeer({
      peer: { versions: ['2.1.1', '2.2.1'] },
      sdk: { versions: ['2.2.1', '2.1.1'] },
    })
    const invitation = await ocpi.invite()
    expect((await peer.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })).ok).toBe(
      true,
    )
    expect((await ocpi.getPeer(invitation.peerId))?.version).toBe('2.2.1')
    expect(await peer.rotate({ version: '2.1.1' })).toMatchObject({ ok: true, statusCode: 1000 })
    expect(await ocpi.getPeer(invitation.peerId)).toMatchObject({ version: '2.1.1' })
    expect(await peer.rotate({ version: '2.2.1' })).toMatchObject({ ok: true, statusCode: 1000 })
    const after = await ocpi.getPeer(invitation.peerId)
    expect(after).toMatchObject({ version: '2.2.1' })
    expect(after?.parties.map((p) => [p.role, p.country_code, p.party_id])).toEqual([['EMSP', 'DE', 'MOC']])
    expect((await ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
    expect(peer.violations).toEqual([])
  })
})

describe('the SDK with a mock peer that lost nothing but its answer', () => {
  it('a PUT answer lost after the mock committed: the SDK asks GET credentials with its old token, which the mock takes in its grace, and settles', async () => {
    const { ocpi, peer, liveTokenKinds } = sdkWithMockPeer()
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
    const before = peer.state.tokenForSdk
    peer.fail('lost-response', { on: 'PUT credentials', times: 1 })
    expect(await ocpi.rotate(registered.id)).toMatchObject({ state: 'registered' })
    // The check was answered with the token the mock issued in its lost answer: committed on both sides.
    const check = peer.exchanges.find((e) => e.target === 'GET credentials')
    expect(check?.response?.status).toBe(200)
    expect(peer.state.tokenForSdk).not.toBe(before)
    expect(await liveTokenKinds()).toEqual(['current', 'previous'])
    expect((await ocpi.client(registered.id).request('tokens', 'SENDER')).status).toBe(200)
    expect(peer.violations).toEqual([])
  })
})

describe('the Authorization encoding probe', () => {
  it.each([
    ['a 2.2.1 peer that accepts only raw tokens', '2.2.1', 'raw', 'raw'],
    ['a 2.1.1 peer that accepts only Base64 tokens', '2.1.1', 'base64', 'base64'],
  ] as const)(
    '%s: found on discovery, then used for every call (never probed on POST/PUT/DELETE)',
    async (_name, version, form, expected) => {
      const { ocpi, peer } = sdkWithMockPeer({
        sdk: { versions: [version] },
        peer: { versions: [version], accepts: form, tokenEncoding: form },
      })
      const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
      await ocpi.client(registered.id).request('tokens', 'SENDER')
      await ocpi.rotate(registered.id)
      await ocpi.unregister(registered.id)
      const ours = peer.exchanges.filter((e) => e.direction === 'inbound')
      const isBase64 = (header: string | undefined) =>
        header !== undefined && /^Token [A-Za-z0-9+/]+={0,2}$/.test(header) && header.length % 4 === 2
      // Exactly one refused discovery GET per discovery (the probe), none on POST/PUT/DELETE/module calls.
      const refused = ours.filter((e) => e.response?.status === 401)
      expect(refused.every((e) => e.method === 'GET' && e.url === `${PEER_BASE}/versions`)).toBe(true)
      for (const exchange of ours.filter((e) => e.response?.status !== 401)) {
        expect(isBase64(exchange.headers['authorization'])).toBe(expected === 'base64')
      }
      expect(
        ours
          .filter((e) => ['POST', 'PUT', 'DELETE'].includes(e.method))
          .every((e) => e.response?.status === 200),
      ).toBe(true)
    },
  )

  it.each([
    ['2.2.1', 'raw'],
    ['2.1.1', 'base64'],
  ] as const)('the probe against a %s peer taking %s tokens only is no violation', async (version, form) => {
    const { ocpi, peer } = sdkWithMockPeer({
      sdk: { versions: [version] },
      peer: { versions: [version], accepts: form, tokenEncoding: form },
    })
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
    expect(registered.state).toBe('registered')
    // The refused first attempt is still on record, with its 401...
    expect(peer.exchanges.some((e) => e.response?.status === 401)).toBe(true)
    // ...but a refused form retried in the accepted one is a probe, not a fault (§3.1).
    expect(peer.violations).toEqual([])
  })

  it.each([
    ['2.2.1', 'raw'],
    ['2.1.1', 'base64'],
  ] as const)('a %s peer set with accepts %s alone: the whole link, no violation', async (version, form) => {
    const { ocpi, peer } = sdkWithMockPeer({
      sdk: { versions: [version] },
      peer: { versions: [version], accepts: form },
    })
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
    expect((await ocpi.client(registered.id).request('tokens', 'SENDER')).status).toBe(200)
    await ocpi.rotate(registered.id)
    expect(await peer.rotate()).toMatchObject({ ok: true })
    await ocpi.unregister(registered.id)
    expect(peer.violations).toEqual([])
  })

  it('a 2.1.1-only peer is spoken to with the raw token once the version is known: no violation', async () => {
    // We offer every version: the first GET of the versions list cannot know the peer's (either form is
    // fine there); from the version details on, 2.1.1 means raw (reference §3.2).
    const { ocpi, peer } = sdkWithMockPeer({ peer: { versions: ['2.1.1'] } })
    const registered = await ocpi.register({ versionsUrl: peer.versionsUrl, token: peer.invite() })
    expect(registered.version).toBe('2.1.1')
    await ocpi.client(registered.id).request('tokens', 'SENDER')
    await ocpi.rotate(registered.id)
    await ocpi.unregister(registered.id)
    // The mock flags a Base64 token wherever a 2.1.1 exchange expects the raw one.
    expect(peer.violations).toEqual([])
  })
})
