import { describe, expect, it } from 'vitest'
import {
  call,
  expectNoTokenIn,
  installSender,
  registerSender,
  request,
  SENDER_BASE,
  senderCredentials,
  useMswServer,
} from './harness.js'

const server = useMswServer()

const TOKEN_B = 'sender-token-B-update-0123456789abcdefghijk'
const TOKEN_B2 = 'sender-token-B2-update-0123456789abcdefghij'
const TOKEN_B3 = 'sender-token-B3-update-0123456789abcdefghij'

/**
 * What a refused PUT must not change: the records and tokens. `lastContactAt` is left out: the refused
 * request was authenticated, so it is contact with the peer, recorded without touching the revision.
 */
function snapshot(backing: {
  peers: Map<string, { lastContactAt: number | null }>
  tokens: Map<string, unknown>
}) {
  const peers = [...backing.peers.values()].map(({ lastContactAt: _contact, ...rest }) => rest)
  return JSON.stringify([peers, [...backing.tokens.entries()]])
}

describe('receiving a PUT (the peer rotates or updates)', () => {
  /** Two of `send` at once: one is committed, the other a conflict, and the winner's token works. */
  async function expectOneWinner(
    link: Awaited<ReturnType<typeof registerSender>>,
    send: () => ReturnType<typeof call>,
  ) {
    const answers = await Promise.all([send(), send()])
    expect(answers.map((a) => a.body.status_code).sort()).toEqual([1000, 3000])
    const won = answers.find((a) => a.body.status_code === 1000)
    const token = (won?.body.data as { token?: string } | undefined)?.token ?? ''
    const module = new Request('https://cpo.example.com/ocpi/2.2.1/locations', {
      headers: { authorization: `Token ${btoa(token)}` },
    })
    expect((await link.ocpi.authenticate(module, { module: 'locations' })).ok).toBe(true)
  }

  it('two retries at once with the previous token: one is committed, the other a conflict; the winner’s token works', async () => {
    const link = await registerSender(server, '2.2.1', TOKEN_B)
    server.resetHandlers()
    installSender(server, { version: '2.2.1', token: TOKEN_B2 })
    const put = () =>
      call(
        link.ocpi.handle,
        request('PUT', '/2.2.1/credentials', {
          token: link.tokenC,
          body: senderCredentials('2.2.1', TOKEN_B2),
        }),
      )
    // The first PUT is committed, but say its answer was lost: the peer retries with the token it used.
    expect((await put()).body.status_code).toBe(1000)
    await expectOneWinner(link, put)
  })

  it('two PUTs at once with one token: one is committed, the other is a conflict, and the winner’s token works', async () => {
    const link = await registerSender(server, '2.2.1', TOKEN_B)
    server.resetHandlers()
    installSender(server, { version: '2.2.1', token: TOKEN_B2 })
    await expectOneWinner(link, () =>
      call(
        link.ocpi.handle,
        request('PUT', '/2.2.1/credentials', {
          token: link.tokenC,
          body: senderCredentials('2.2.1', TOKEN_B2),
        }),
      ),
    )
  })

  it('re-fetches the endpoints with the new token, issues a new token, keeps the old one for the grace window', async () => {
    const now = Date.parse('2026-11-23T10:00:00Z')
    const link = await registerSender(server, '2.2.1', TOKEN_B, { now: () => now, graceMs: 60_000 })
    const { ocpi, tokenC, peerId } = link
    server.resetHandlers()
    const sender = installSender(server, { version: '2.2.1', token: TOKEN_B2 })

    const put = await call(
      ocpi.handle,
      request('PUT', '/2.2.1/credentials', { token: tokenC, body: senderCredentials('2.2.1', TOKEN_B2) }),
    )
    expect(put.body.status_code).toBe(1000)
    const tokenC2 = (put.body.data as { token: string }).token
    expect(tokenC2).not.toBe(tokenC)
    expect(sender.seen.map((r) => [r.url, r.authorization])).toEqual([
      [`${SENDER_BASE}/versions`, `Token ${btoa(TOKEN_B2)}`],
      [`${SENDER_BASE}/2.2.1`, `Token ${btoa(TOKEN_B2)}`],
    ])

    // Grace: the old token still works, and GET credentials with it hands out the new one.
    const viaOld = await call(ocpi.handle, request('GET', '/2.2.1/credentials', { token: tokenC }))
    expect(viaOld.body.data).toMatchObject({ token: tokenC2 })
    // The first use of the new token ends the grace at once.
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC2 }))).status).toBe(200)
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(401)
    expect((await ocpi.getPeer(peerId))?.state).toBe('registered')
    expectNoTokenIn(link.captured.lines, [tokenC, tokenC2, TOKEN_B, TOKEN_B2])
  })

  it('the grace window expires on its own when the new token is not used', async () => {
    let now = Date.parse('2026-11-23T10:00:00Z')
    const { ocpi, tokenC } = await registerSender(server, '2.2.1', TOKEN_B, {
      now: () => now,
      graceMs: 60_000,
    })
    installSender(server, { version: '2.2.1', token: TOKEN_B2 })
    const put = await call(
      ocpi.handle,
      request('PUT', '/2.2.1/credentials', { token: tokenC, body: senderCredentials('2.2.1', TOKEN_B2) }),
    )
    expect(put.body.status_code).toBe(1000)
    now += 59_000
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(200)
    now += 1_000
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(401)
  })

  it('a repeat of the PUT with the previous token (our answer was lost) is a retry, not an attack', async () => {
    const { ocpi, tokenC, backing, peerId } = await registerSender(server, '2.2.1', TOKEN_B)
    installSender(server, { version: '2.2.1', token: TOKEN_B2 })
    const first = await call(
      ocpi.handle,
      request('PUT', '/2.2.1/credentials', { token: tokenC, body: senderCredentials('2.2.1', TOKEN_B2) }),
    )
    const lost = (first.body.data as { token: string }).token
    installSender(server, { version: '2.2.1', token: TOKEN_B3 })
    const retry = await call(
      ocpi.handle,
      request('PUT', '/2.2.1/credentials', { token: tokenC, body: senderCredentials('2.2.1', TOKEN_B3) }),
    )
    expect(retry.body.status_code).toBe(1000)
    const fresh = (retry.body.data as { token: string }).token
    // The undelivered token is dead; the peer's token keeps its grace; the fresh one works.
    expect((await call(ocpi.handle, request('GET', '/versions', { token: lost }))).status).toBe(401)
    const kinds = [...backing.tokens.values()].filter((t) => t.peerId === peerId).map((t) => t.kind)
    expect(kinds.sort()).toEqual(['consumed-invitation', 'current', 'previous'])
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(200)
    expect((await call(ocpi.handle, request('GET', '/versions', { token: fresh }))).status).toBe(200)
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(401)
  })

  it('switches to the version whose credentials URL was called (2.1.1 → 2.2.1) and fills in the role', async () => {
    const { ocpi, tokenC, peerId } = await registerSender(server, '2.1.1', TOKEN_B)
    expect((await ocpi.getPeer(peerId))?.parties[0]?.role).toBeNull()
    installSender(server, { version: '2.2.1', token: TOKEN_B2, listed: ['2.1.1', '2.2.1'] })
    const put = await call(
      ocpi.handle,
      request('PUT', '/2.2.1/credentials', { token: tokenC, body: senderCredentials('2.2.1', TOKEN_B2) }),
    )
    expect(put.body.status_code).toBe(1000)
    expect(put.body.data).toHaveProperty('roles')
    const peer = await ocpi.getPeer(peerId)
    expect(peer).toMatchObject({ version: '2.2.1', state: 'registered' })
    expect(peer?.parties.map((p) => [p.role, p.country_code, p.party_id])).toEqual([['EMSP', 'DE', 'MSP']])
  })

  it.each([
    ['changes its party_id', { country_code: 'DE', party_id: 'XYZ' }],
    ['changes its country_code', { country_code: 'FR', party_id: 'MSP' }],
  ])('the identity lock: a PUT that %s gets HTTP 200 / 2001 and changes nothing', async (_name, party) => {
    const { ocpi, tokenC, backing } = await registerSender(server, '2.2.1', TOKEN_B)
    const sender = installSender(server, { version: '2.2.1', token: TOKEN_B2 })
    const before = snapshot(backing)
    const put = await call(
      ocpi.handle,
      request('PUT', '/2.2.1/credentials', {
        token: tokenC,
        body: senderCredentials('2.2.1', TOKEN_B2, `${SENDER_BASE}/versions`, party),
      }),
    )
    expect([put.status, put.body.status_code]).toEqual([200, 2001])
    expect(snapshot(backing)).toBe(before)
    expect(sender.seen).toHaveLength(0)
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(200)
  })

  it('the identity lock compares case-insensitively and keeps the identity as locked', async () => {
    const { ocpi, tokenC, peerId } = await registerSender(server, '2.2.1', TOKEN_B)
    installSender(server, { version: '2.2.1', token: TOKEN_B2 })
    const put = await call(
      ocpi.handle,
      request('PUT', '/2.2.1/credentials', {
        token: tokenC,
        body: senderCredentials('2.2.1', TOKEN_B2, `${SENDER_BASE}/versions`, {
          country_code: 'de',
          party_id: 'msp',
        }),
      }),
    )
    expect(put.body.status_code).toBe(1000)
    expect((await ocpi.getPeer(peerId))?.parties[0]).toMatchObject({ country_code: 'DE', party_id: 'MSP' })
  })

  it('a failed PUT (callback discovery fails) changes nothing: the old token keeps working', async () => {
    const { ocpi, tokenC, backing } = await registerSender(server, '2.2.1', TOKEN_B)
    installSender(server, { version: '2.2.1', token: TOKEN_B2, fail: 'details-500' })
    const before = snapshot(backing)
    const put = await call(
      ocpi.handle,
      request('PUT', '/2.2.1/credentials', { token: tokenC, body: senderCredentials('2.2.1', TOKEN_B2) }),
    )
    expect([put.status, put.body.status_code]).toEqual([200, 3001])
    expect(snapshot(backing)).toBe(before)
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(200)
  })
})

describe('receiving a DELETE (the peer unregisters)', () => {
  it('ends the link: every token dies, the peer is SUSPENDED, a second DELETE is 401', async () => {
    const { ocpi, tokenC, peerId, backing, captured } = await registerSender(server, '2.2.1', TOKEN_B)
    const response = await call(ocpi.handle, request('DELETE', '/2.2.1/credentials', { token: tokenC }))
    expect([response.status, response.body.status_code]).toEqual([200, 1000])
    expect(response.body).not.toHaveProperty('data')
    expect([...backing.tokens.values()].filter((t) => t.peerId === peerId)).toEqual([])
    expect(await ocpi.getPeer(peerId)).toMatchObject({ state: 'unregistered', connectionStatus: 'SUSPENDED' })
    expect(JSON.stringify([...backing.peers.values()])).not.toContain('outbound')
    expect((await call(ocpi.handle, request('DELETE', '/2.2.1/credentials', { token: tokenC }))).status).toBe(
      401,
    )
    expect(captured.lines.some((l) => l.startsWith('event unregistered'))).toBe(true)
  })
})
