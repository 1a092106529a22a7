import { describe, expect, it } from 'vitest'
import { digestToken } from '../src/index.js'
import {
  call,
  createReceiver,
  expectNoTokenIn,
  installSender,
  RECEIVER_BASE,
  request,
  SENDER_BASE,
  senderCredentials,
  useMswServer,
} from './harness.js'

const server = useMswServer()

const TOKEN_B = 'sender-token-B-0123456789abcdefghijklmnop'

describe.each(['2.1.1', '2.2.1', '2.3.0'] as const)('receiving a %s registration', (version) => {
  it('discovers back with TOKEN_B before answering, then answers with a fresh TOKEN_C', async () => {
    const { ocpi, backing, captured } = createReceiver()
    const { token: tokenA, versionsUrl, peerId } = await ocpi.invite()
    expect(versionsUrl).toBe(`${RECEIVER_BASE}/versions`)
    const sender = installSender(server, { version, token: TOKEN_B })
    const correlationId = 'corr-registration-1'

    const response = await call(
      ocpi.handle,
      request('POST', `/${version}/credentials`, {
        token: tokenA,
        encoding: version === '2.1.1' ? 'raw' : 'base64',
        body: senderCredentials(version, TOKEN_B),
        headers: { 'x-correlation-id': correlationId, 'x-request-id': 'req-1' },
      }),
    )

    expect(response.status).toBe(200)
    expect(response.body.status_code).toBe(1000)
    expect(response.headers.get('x-request-id')).toBe('req-1')
    expect(response.headers.get('x-correlation-id')).toBe(correlationId)
    const data = response.body.data as { token: string; url: string; roles?: unknown }
    const tokenC = data.token
    expect(tokenC).not.toBe(tokenA)
    expect(tokenC).not.toBe(TOKEN_B)
    expect(tokenC).toMatch(/^[\x21-\x7E]{43,64}$/)
    expect(data.url).toBe(`${RECEIVER_BASE}/versions`)
    if (version === '2.1.1') {
      expect(data).toMatchObject({
        party_id: 'EXA',
        country_code: 'NL',
        business_details: { name: 'Example CPO' },
      })
      expect(data).not.toHaveProperty('roles')
    } else {
      expect(data.roles).toEqual([
        { role: 'CPO', party_id: 'EXA', country_code: 'NL', business_details: { name: 'Example CPO' } },
      ])
    }

    // The callback discovery: versions, then the details of the POSTed version, with TOKEN_B.
    expect(sender.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${SENDER_BASE}/versions`,
      `GET ${SENDER_BASE}/${version}`,
    ])
    for (const seen of sender.seen) {
      expect(seen.authorization).toBe(version === '2.1.1' ? `Token ${TOKEN_B}` : `Token ${btoa(TOKEN_B)}`)
      expect(Object.keys(seen.headers).filter((h) => h.startsWith('ocpi-'))).toEqual([])
      if (version === '2.1.1') {
        expect(seen.headers['x-request-id']).toBeUndefined()
      } else {
        expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
        expect(seen.headers['x-correlation-id']).toBe(correlationId)
      }
    }
    if (version !== '2.1.1') {
      expect(new Set(sender.seen.map((r) => r.headers['x-request-id'])).size).toBe(sender.seen.length)
    }

    // The link as stored: registered, TOKEN_C stored only as a digest, TOKEN_B sealed.
    const peer = await ocpi.getPeer(peerId)
    expect(peer).toMatchObject({ state: 'registered', version, connectionStatus: 'CONNECTED' })
    expect(peer?.parties).toEqual([
      {
        role: version === '2.1.1' ? null : 'EMSP',
        country_code: 'DE',
        party_id: 'MSP',
        business_details: { name: 'Example eMSP' },
      },
    ])
    const tokens = [...backing.tokens.values()].filter((t) => t.peerId === peerId)
    expect(tokens.map((t) => [t.kind, t.digest]).sort()).toEqual([
      ['consumed-invitation', digestToken(tokenA)],
      ['current', digestToken(tokenC)],
    ])
    const raw = JSON.stringify([...backing.peers.values(), ...backing.tokens.values()])
    for (const secret of [tokenA, tokenC, TOKEN_B, btoa(TOKEN_B)]) expect(raw).not.toContain(secret)

    // TOKEN_C works (raw and Base64); TOKEN_A is dead everywhere.
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(200)
    expect(
      (await call(ocpi.handle, request('GET', `/${version}`, { token: tokenC, encoding: 'base64' }))).status,
    ).toBe(200)
    for (const [method, path] of [
      ['GET', '/versions'],
      ['GET', `/${version}`],
      ['GET', `/${version}/credentials`],
      ['POST', `/${version}/credentials`],
    ] as const) {
      const again = await call(
        ocpi.handle,
        request(method, path, {
          token: tokenA,
          // A POST from another sender identity: only the same sender may replay (see the replay test).
          ...(method === 'POST'
            ? {
                body: senderCredentials(version, TOKEN_B, `${SENDER_BASE}/versions`, {
                  country_code: 'FR',
                  party_id: 'OTH',
                }),
              }
            : {}),
        }),
      )
      expect(again.status).toBe(401)
    }
    // A second POST with the registered token is 405.
    const second = await call(
      ocpi.handle,
      request('POST', `/${version}/credentials`, {
        token: tokenC,
        body: senderCredentials(version, TOKEN_B),
      }),
    )
    expect(second.status).toBe(405)
    expectNoTokenIn(captured.lines, [tokenA, tokenC, TOKEN_B])
  })
})

describe('the credentials endpoint', () => {
  it('GET returns our credentials with the token of the request (TOKEN_A before, TOKEN_C after)', async () => {
    const { ocpi } = createReceiver()
    const { token: tokenA } = await ocpi.invite()
    const before = await call(
      ocpi.handle,
      request('GET', '/2.2.1/credentials', { token: tokenA, encoding: 'base64' }),
    )
    expect(before.status).toBe(200)
    expect(before.body.data).toMatchObject({ token: tokenA, url: `${RECEIVER_BASE}/versions` })

    installSender(server, { version: '2.2.1', token: TOKEN_B })
    const post = await call(
      ocpi.handle,
      request('POST', '/2.2.1/credentials', { token: tokenA, body: senderCredentials('2.2.1', TOKEN_B) }),
    )
    const tokenC = (post.body.data as { token: string }).token
    const after = await call(ocpi.handle, request('GET', '/2.1.1/credentials', { token: tokenC }))
    expect(after.body.data).toMatchObject({ token: tokenC, party_id: 'EXA', country_code: 'NL' })
  })

  /** A receiver with a 60 s replay window and a stopped clock; `post` sends the sender's POST again. */
  async function replayable(version: '2.2.1' | '2.3.0' = '2.2.1') {
    const clock = { now: Date.parse('2026-11-23T10:00:00Z') }
    const { ocpi } = createReceiver({ now: () => clock.now, replayWindowMs: 60_000 })
    const { token: tokenA } = await ocpi.invite()
    installSender(server, { version, token: TOKEN_B })
    const post = (body: object = senderCredentials(version, TOKEN_B)) =>
      call(ocpi.handle, request('POST', `/${version}/credentials`, { token: tokenA, body }))
    return { ocpi, tokenA, clock, post }
  }

  it('accepts the replay of a registration POST whose answer was lost (same sender, within the window)', async () => {
    const { ocpi, tokenA, clock, post } = await replayable()
    const lost = ((await post()).body.data as { token: string }).token
    clock.now += 30_000
    const replay = await post()
    expect(replay.body.status_code).toBe(1000)
    const tokenC = (replay.body.data as { token: string }).token
    expect(tokenC).not.toBe(lost)
    // The undelivered token is dead, the new one works; TOKEN_A still works nowhere else.
    expect((await call(ocpi.handle, request('GET', '/versions', { token: lost }))).status).toBe(401)
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(200)
    expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenA }))).status).toBe(401)
    // After the window, a replay is a plain use of a consumed TOKEN_A: 401.
    clock.now += 30_000
    expect((await post()).status).toBe(401)
  })

  it('refuses a replay with another token than the first time: a leaked TOKEN_A cannot take the link', async () => {
    const { ocpi, post } = await replayable()
    const answered = ((await post()).body.data as { token: string }).token
    const intruder = await post(senderCredentials('2.2.1', 'an-intruders-own-token-for-the-link-0123456789'))
    expect(intruder.status).toBe(401)
    // The token we answered the sender still works: nothing was replaced.
    expect((await call(ocpi.handle, request('GET', '/versions', { token: answered }))).status).toBe(200)
  })

  it('refuses a replay that adds a hub_party_id: the sender must present the same identity', async () => {
    const { post } = await replayable('2.3.0')
    expect((await post()).body.status_code).toBe(1000)
    expect((await post({ ...senderCredentials('2.3.0', TOKEN_B), hub_party_id: 'DEHUB' })).status).toBe(401)
  })

  // The window closes at the first use of the token we answered, wherever it is used: on our endpoints,
  // or on the host's modules through authenticate (whose contact writes are otherwise 30 s apart), and
  // even within the millisecond of the registration.
  for (const [where, use] of [
    ['a host module (authenticate)', 'module'],
    ['our versions endpoint, in the same millisecond', 'versions'],
  ] as const) {
    it(`refuses the replay once the sender used the answered token on ${where}, and keeps that token`, async () => {
      const { ocpi, clock, post } = await replayable()
      const tokenC = ((await post()).body.data as { token: string }).token
      if (use === 'module') {
        clock.now += 5_000
        const used = await ocpi.authenticate(
          new Request(`${RECEIVER_BASE}/2.2.1/locations`, {
            headers: { authorization: `Token ${btoa(tokenC)}` },
          }),
          { module: 'locations' },
        )
        expect(used.ok).toBe(true)
      } else {
        expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(200)
      }
      clock.now += 5_000
      expect((await post()).status).toBe(401)
      expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(200)
    })
  }

  it('answers PUT and DELETE made with a TOKEN_A with 405, and changes nothing', async () => {
    const { ocpi, backing } = createReceiver()
    const { token: tokenA, peerId } = await ocpi.invite()
    const snapshot = JSON.stringify([...backing.peers.values(), ...backing.tokens.values()])
    for (const method of ['PUT', 'DELETE']) {
      const response = await call(
        ocpi.handle,
        request(method, '/2.2.1/credentials', { token: tokenA, body: senderCredentials('2.2.1', TOKEN_B) }),
      )
      expect(response.status).toBe(405)
      expect(response.body.status_code).toBe(2000)
    }
    expect(JSON.stringify([...backing.peers.values(), ...backing.tokens.values()])).toBe(snapshot)
    expect((await ocpi.getPeer(peerId))?.state).toBe('invited')
  })
})
