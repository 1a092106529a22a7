// The identity lock of hubs: whether a peer is a hub, and which hub, is locked at registration like its
// parties. A PUT cannot make a peer a hub (hubs may add parties), nor change its hub_party_id; a 2.2.1
// hub (role HUB) moving to 2.3.0, which has no HUB role, states the same identity as hub_party_id.
import { describe, expect, it } from 'vitest'
import {
  call,
  createReceiver,
  installSender,
  registerSender,
  request,
  SENDER_BASE,
  useMswServer,
} from './harness.js'
import { twoPlatforms } from './two-platforms.js'

const server = useMswServer()
const B1 = 'sender-token-B1-hubs-0123456789abcdefghijklmn'
const B2 = 'sender-token-B2-hubs-0123456789abcdefghijklmn'
const details = { name: 'Sender' }
const role = (r: string, country_code: string, party_id: string) => ({
  role: r,
  country_code,
  party_id,
  business_details: details,
})

/** A sender registered on `version` presenting `body` (roles, hub_party_id); answers its TOKEN_C. */
async function registered(
  version: '2.2.1' | '2.3.0',
  body: Record<string, unknown>,
  receiver = createReceiver({ hubClientInfo: { receiver: true } }),
) {
  const invitation = await receiver.ocpi.invite()
  installSender(server, { version, token: B1 })
  const post = await call(
    receiver.ocpi.handle,
    request('POST', `/${version}/credentials`, {
      token: invitation.token,
      body: { token: B1, url: `${SENDER_BASE}/versions`, ...body },
    }),
  )
  expect(post.body.status_code).toBe(1000)
  server.resetHandlers()
  return { ...receiver, peerId: invitation.peerId, tokenC: (post.body.data as { token: string }).token }
}

/** The peer as the admin sees it, but for the time of last contact (an authenticated PUT is contact). */
async function linkOf(link: Awaited<ReturnType<typeof registered>>) {
  const { lastContactAt: _contact, ...rest } = (await link.ocpi.getPeer(link.peerId)) ?? {}
  return JSON.stringify(rest)
}

async function put(
  link: Awaited<ReturnType<typeof registered>>,
  version: '2.2.1' | '2.3.0',
  body: Record<string, unknown>,
) {
  installSender(server, { version, token: B2, listed: ['2.3.0', '2.2.1'] })
  return call(
    link.ocpi.handle,
    request('PUT', `/${version}/credentials`, {
      token: link.tokenC,
      body: { token: B2, url: `${SENDER_BASE}/versions`, ...body },
    }),
  )
}

describe('the hub identity lock', () => {
  it('a peer registered as no hub cannot become one by sending hub_party_id, and add a party', async () => {
    const link = await registered('2.3.0', { roles: [role('EMSP', 'DE', 'MSP')] })
    const before = await linkOf(link)
    const answer = await put(link, '2.3.0', {
      hub_party_id: 'DEHUB',
      roles: [role('EMSP', 'DE', 'MSP'), role('CPO', 'NL', 'EVL')],
    })
    expect(answer.body).toMatchObject({ status_code: 2001 })
    expect(answer.body.status_message).toContain('hub_party_id')
    expect(await linkOf(link)).toBe(before)
  })

  it('a hub cannot change its hub_party_id', async () => {
    const link = await registered('2.3.0', { hub_party_id: 'NLHUB', roles: [role('CPO', 'DE', 'ABC')] })
    const before = await linkOf(link)
    const answer = await put(link, '2.3.0', { hub_party_id: 'FRHUB', roles: [role('CPO', 'DE', 'ABC')] })
    expect(answer.body).toMatchObject({ status_code: 2001 })
    expect(answer.body.status_message).toContain('hub_party_id is locked to NLHUB')
    expect(await linkOf(link)).toBe(before)
  })

  it('a hub may add the parties it reaches; hub_party_id compares case-insensitively, kept as locked', async () => {
    const link = await registered('2.3.0', { hub_party_id: 'NLHUB', roles: [role('CPO', 'DE', 'ABC')] })
    const answer = await put(link, '2.3.0', {
      hub_party_id: 'nlhub',
      roles: [role('CPO', 'DE', 'ABC'), role('EMSP', 'FR', 'XYZ')],
    })
    expect(answer.body).toMatchObject({ status_code: 1000 })
    const peer = await link.ocpi.getPeer(link.peerId)
    expect(peer?.parties.map((p) => `${p.country_code}/${p.party_id}`)).toEqual(['DE/ABC', 'FR/XYZ'])
  })

  it('a 2.2.1 hub (role HUB) moves its link to 2.3.0, stating the same hub as hub_party_id', async () => {
    const link = await registered('2.2.1', { roles: [role('HUB', 'NL', 'HUB')] })
    const answer = await put(link, '2.3.0', { hub_party_id: 'NLHUB', roles: [role('CPO', 'DE', 'ABC')] })
    expect(answer.body).toMatchObject({ status_code: 1000 })
    const peer = await link.ocpi.getPeer(link.peerId)
    expect(peer?.version).toBe('2.3.0')
    // The HUB party stays locked (and can be claimed in OCPI-from-*); the reached party was added.
    expect(peer?.parties.map((p) => `${p.role} ${p.country_code}/${p.party_id}`)).toEqual([
      'HUB NL/HUB',
      'CPO DE/ABC',
    ])
  })

  it('… and its later 2.3.0 PUTs may leave hub_party_id out: the locked hub is kept', async () => {
    const link = await registered('2.2.1', { roles: [role('HUB', 'NL', 'HUB')] })
    const moved = await put(link, '2.3.0', { hub_party_id: 'NLHUB', roles: [role('CPO', 'DE', 'ABC')] })
    expect(moved.body).toMatchObject({ status_code: 1000 })
    server.resetHandlers()
    const next = { ...link, tokenC: (moved.body.data as { token: string }).token }
    const again = await put(next, '2.3.0', { roles: [role('CPO', 'DE', 'ABC')] })
    expect(again.body).toMatchObject({ status_code: 1000 })
    const peer = await link.ocpi.getPeer(link.peerId)
    expect(peer?.hubPartyId).toBe('NLHUB')
    expect(peer?.parties.map((p) => `${p.role} ${p.country_code}/${p.party_id}`)).toEqual([
      'HUB NL/HUB',
      'CPO DE/ABC',
    ])
  })

  it('a 2.2.1 hub that leaves its HUB party out of a 2.2.1 PUT is refused (2.2.1 has the role)', async () => {
    const link = await registered('2.2.1', { roles: [role('HUB', 'NL', 'HUB')] })
    const answer = await put(link, '2.2.1', { roles: [role('CPO', 'DE', 'ABC')] })
    expect(answer.body).toMatchObject({ status_code: 2001 })
  })

  it('… but not as another hub', async () => {
    const link = await registered('2.2.1', { roles: [role('HUB', 'NL', 'HUB')] })
    const answer = await put(link, '2.3.0', { hub_party_id: 'DEHUB', roles: [role('CPO', 'DE', 'ABC')] })
    expect(answer.body).toMatchObject({ status_code: 2001 })
    expect((await link.ocpi.getPeer(link.peerId))?.version).toBe('2.2.1')
  })

  it('a 2.3.0 hub drops a party it no longer reaches: taken, and announced as parties-changed', async () => {
    const link = await registered('2.3.0', {
      hub_party_id: 'NLHUB',
      roles: [role('CPO', 'DE', 'ABC'), role('EMSP', 'FR', 'XYZ')],
    })
    const changes: unknown[] = []
    link.ocpi.on('parties-changed', (change) => changes.push(change))
    const answer = await put(link, '2.3.0', { roles: [role('CPO', 'DE', 'ABC')] })
    expect(answer.body).toMatchObject({ status_code: 1000 })
    const peer = await link.ocpi.getPeer(link.peerId)
    expect(peer?.parties.map((p) => `${p.role} ${p.country_code}/${p.party_id}`)).toEqual(['CPO DE/ABC'])
    expect(peer?.hubPartyId).toBe('NLHUB')
    expect(changes).toEqual([
      {
        peerId: link.peerId,
        added: [],
        removed: [expect.objectContaining({ role: 'EMSP', country_code: 'FR', party_id: 'XYZ' })],
        rolesFilledIn: [],
      },
    ])
  })

  it('a 2.3.0 hub moves down to 2.2.1 reporting only itself, as the HUB party of its hub_party_id; its parties stay', async () => {
    const link = await registered('2.3.0', { hub_party_id: 'NLHUB', roles: [role('CPO', 'DE', 'ABC')] })
    const before = await linkOf(link)
    const elsewhere = await put(link, '2.2.1', { roles: [role('HUB', 'DE', 'HUB')] })
    expect(elsewhere.body).toMatchObject({ status_code: 2001 })
    expect(elsewhere.body.status_message).toContain('HUB party is locked to NLHUB')
    expect(await linkOf(link)).toBe(before)
    server.resetHandlers()
    const answer = await put(link, '2.2.1', { roles: [role('HUB', 'NL', 'HUB')] })
    expect(answer.body).toMatchObject({ status_code: 1000 })
    const peer = await link.ocpi.getPeer(link.peerId)
    expect(peer?.version).toBe('2.2.1')
    expect(peer?.hubPartyId).toBe('NLHUB')
    // A 2.2.1 hub reports only itself: the party it reached stays locked (it may still be reachable).
    expect(peer?.parties.map((p) => `${p.role} ${p.country_code}/${p.party_id}`)).toEqual([
      'CPO DE/ABC',
      'HUB NL/HUB',
    ])
  })

  it('a platform that is no hub may not drop a party, unless the host’s removal policy allows it', async () => {
    const roles = [role('CPO', 'DE', 'ABC'), role('EMSP', 'DE', 'ABC')]
    const strict = await registered('2.2.1', { roles })
    const before = await linkOf(strict)
    const refused = await put(strict, '2.2.1', { roles: [role('CPO', 'DE', 'ABC')] })
    expect(refused.body).toMatchObject({ status_code: 2001 })
    expect(refused.body.status_message).toContain('DE/ABC (EMSP) is locked')
    expect(await linkOf(strict)).toBe(before)
    server.resetHandlers()
    const lenient = await registered(
      '2.2.1',
      { roles },
      createReceiver({ hubClientInfo: { receiver: true }, partyRemovalPolicy: () => true }),
    )
    const taken = await put(lenient, '2.2.1', { roles: [role('CPO', 'DE', 'ABC')] })
    expect(taken.body).toMatchObject({ status_code: 1000 })
    expect((await lenient.ocpi.getPeer(lenient.peerId))?.parties.map((p) => p.role)).toEqual(['CPO'])
  })

  it.each(['2.2.1', '2.3.0'] as const)(
    'a 2.1.1 link (no roles, no hubs) cannot make itself a hub by presenting its party as HUB on %s',
    async (version) => {
      const link = await registerSender(server, '2.1.1', B1)
      const before = await linkOf(link)
      server.resetHandlers()
      installSender(server, { version, token: B2, listed: ['2.1.1', version] })
      const [party] = (await link.ocpi.getPeer(link.peerId))?.parties ?? []
      const answer = await call(
        link.ocpi.handle,
        request('PUT', `/${version}/credentials`, {
          token: link.tokenC,
          body: {
            token: B2,
            url: `${SENDER_BASE}/versions`,
            roles: [role('HUB', party?.country_code ?? '', party?.party_id ?? '')],
          },
        }),
      )
      expect(answer.body).toMatchObject({ status_code: 2001 })
      expect(answer.body.status_message).toContain('cannot become one')
      expect(await linkOf(link)).toBe(before)
    },
  )

  it('an invitation expecting parties refuses a hub_party_id it does not name; a revocation re-invites the locked hub', async () => {
    const { ocpi } = createReceiver({ hubClientInfo: { receiver: true } })
    const strict = await ocpi.invite({
      expectedParties: [{ country_code: 'DE', party_id: 'MSP', role: 'EMSP' }],
    })
    installSender(server, { version: '2.3.0', token: B1 })
    const body = { token: B1, url: `${SENDER_BASE}/versions`, roles: [role('EMSP', 'DE', 'MSP')] }
    const refused = await call(
      ocpi.handle,
      request('POST', '/2.3.0/credentials', {
        token: strict.token,
        body: { ...body, hub_party_id: 'XXHUB' },
      }),
    )
    expect(refused.body).toMatchObject({ status_code: 2001 })
    expect((await ocpi.getPeer(strict.peerId))?.state).toBe('invited') // the invitation stays usable
    // Expected as a hub (its identity named), it registers; revoked, its re-invitation expects the same.
    const hub = await ocpi.invite({
      expectedParties: [
        { country_code: 'DE', party_id: 'MSP' },
        { country_code: 'NL', party_id: 'HUB', role: 'HUB' },
      ],
    })
    const taken = await call(
      ocpi.handle,
      request('POST', '/2.3.0/credentials', { token: hub.token, body: { ...body, hub_party_id: 'NLHUB' } }),
    )
    expect(taken.body).toMatchObject({ status_code: 1000 })
    const { invitation } = await ocpi.revoke(hub.peerId)
    server.resetHandlers()
    installSender(server, { version: '2.3.0', token: B2 })
    const again = await call(
      ocpi.handle,
      request('POST', '/2.3.0/credentials', {
        token: invitation?.token ?? '',
        body: { ...body, token: B2, hub_party_id: 'NLHUB' },
      }),
    )
    expect(again.body).toMatchObject({ status_code: 1000 })
  })

  it('an expectation without a role admits no hub: neither a hub_party_id nor a HUB role', async () => {
    const { ocpi } = createReceiver()
    for (const [version, extra] of [
      ['2.3.0', { hub_party_id: 'DEMSP', roles: [role('EMSP', 'DE', 'MSP')] }],
      ['2.2.1', { roles: [role('HUB', 'DE', 'MSP')] }],
    ] as const) {
      const invitation = await ocpi.invite({ expectedParties: [{ country_code: 'DE', party_id: 'MSP' }] })
      server.resetHandlers()
      installSender(server, { version, token: B1 })
      const answer = await call(
        ocpi.handle,
        request('POST', `/${version}/credentials`, {
          token: invitation.token,
          body: { token: B1, url: `${SENDER_BASE}/versions`, ...extra },
        }),
      )
      expect(answer.body).toMatchObject({ status_code: 2001 })
      expect((await ocpi.getPeer(invitation.peerId))?.state).toBe('invited')
    }
  })

  it('a PUT cannot add a HUB party to a link that is no hub, whatever the addition policy allows', async () => {
    const link = await registered(
      '2.2.1',
      { roles: [role('EMSP', 'DE', 'MSP')] },
      createReceiver({ partyAdditionPolicy: () => true }),
    )
    const before = await linkOf(link)
    const answer = await put(link, '2.2.1', { roles: [role('EMSP', 'DE', 'MSP'), role('HUB', 'DE', 'HUB')] })
    expect(answer.body).toMatchObject({ status_code: 2001 })
    expect(answer.body.status_message).toContain('HUB party may not be added')
    expect(await linkOf(link)).toBe(before)
    // The same policy still lets it add a plain party.
    server.resetHandlers()
    const added = await put(link, '2.2.1', { roles: [role('EMSP', 'DE', 'MSP'), role('CPO', 'DE', 'MSP')] })
    expect(added.body).toMatchObject({ status_code: 1000 })
  })

  it('two SDK platforms: a hub moves its link down to 2.2.1 and back up to 2.3.0 by rotate', async () => {
    const { cpo, emsp } = twoPlatforms({
      emsp: {
        parties: [
          { role: 'HUB', country_code: 'NL', party_id: 'HUB', business_details: { name: 'Hub' } },
          { role: 'EMSP', country_code: 'NL', party_id: 'MSP', business_details: { name: 'eMSP via hub' } },
        ],
        hubPartyId: 'NLHUB',
      },
    })
    const invitation = await cpo.ocpi.invite()
    const onHub = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    expect(onHub.version).toBe('2.3.0')
    await emsp.ocpi.rotate(onHub.id, { version: '2.2.1' })
    expect((await cpo.ocpi.getPeer(invitation.peerId))?.version).toBe('2.2.1')
    await expect(emsp.ocpi.rotate(onHub.id, { version: '2.3.0' })).resolves.toMatchObject({
      version: '2.3.0',
    })
    expect((await cpo.ocpi.getPeer(invitation.peerId))?.version).toBe('2.3.0')
  })
})
