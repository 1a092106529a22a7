import { http } from 'msw'
import { describe, expect, it, vi } from 'vitest'
import type { OcpiEvents } from '../src/index.js'
import {
  call,
  createReceiver,
  expectNoTokenIn,
  installSender,
  request,
  SENDER_BASE,
  senderCredentials,
  useMswServer,
} from './harness.js'

const server = useMswServer()

const TOKEN_B = 'sender-token-B-failures-0123456789abcdefgh'

/** Snapshot of everything the store holds, to prove a refusal changed nothing. */
function snapshot(backing: ReturnType<typeof createReceiver>['backing']) {
  return JSON.stringify([[...backing.peers.entries()], [...backing.tokens.entries()]])
}

async function setUp() {
  const receiver = createReceiver()
  const invitation = await receiver.ocpi.invite()
  const post = (body: unknown, init: { rawBody?: string } = {}) =>
    call(
      receiver.ocpi.handle,
      request('POST', '/2.2.1/credentials', {
        token: invitation.token,
        encoding: 'base64',
        ...(init.rawBody === undefined ? { body } : { rawBody: init.rawBody }),
      }),
    )
  return { ...receiver, invitation, post }
}

/** After a refusal, the same TOKEN_A still registers once the sender is fixed. */
async function expectRetrySucceeds(post: (body: unknown) => ReturnType<typeof call>) {
  server.resetHandlers()
  installSender(server, { version: '2.2.1', token: TOKEN_B })
  const retry = await post(senderCredentials('2.2.1', TOKEN_B))
  expect(retry.body.status_code).toBe(1000)
}

describe('a refused registration changes nothing and leaves TOKEN_A usable', () => {
  it('a sender slow on every GET gets 3001 once our whole discovery took 20 s, not 20 s per GET', async () => {
    const { post, backing } = await setUp()
    const before = snapshot(backing)
    // It refuses the Base64 form we try first, so our discovery makes four GETs (the probe); 9 s each
    // stays under the 10 s limit of one GET.
    installSender(server, { version: '2.2.1', token: TOKEN_B, tokenMode: 'raw-only' })
    const gets: number[] = []
    server.use(
      http.get(`${SENDER_BASE}/*`, async () => {
        gets.push(performance.now())
        await new Promise((resolve) => setTimeout(resolve, 9_000))
      }),
    )
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const answering = post(senderCredentials('2.2.1', TOKEN_B))
      await vi.advanceTimersByTimeAsync(40_000)
      const response = await answering
      expect([response.status, response.body.status_code]).toEqual([200, 3001])
      expect(gets).toHaveLength(3) // at 0, 9 and 18 s: the third is cut at 20 s
      expect(response.body.status_message).toContain('(GET version details)')
    } finally {
      vi.useRealTimers()
    }
    expect(snapshot(backing)).toBe(before)
    await expectRetrySucceeds(post)
  })

  it('invalid JSON: HTTP 400 / 2000', async () => {
    const { post, backing } = await setUp()
    const before = snapshot(backing)
    const response = await post(undefined, { rawBody: '{"token": ' })
    expect([response.status, response.body.status_code]).toEqual([400, 2000])
    expect(snapshot(backing)).toBe(before)
    await expectRetrySucceeds(post)
  })

  it.each([
    ['roles missing', { token: TOKEN_B, url: `${SENDER_BASE}/versions` }],
    ['empty roles', { token: TOKEN_B, url: `${SENDER_BASE}/versions`, roles: [] }],
    ['token with a space', senderCredentials('2.2.1', 'has a space')],
    ['a 2.1.1 body on the 2.2.1 endpoint', senderCredentials('2.1.1', TOKEN_B)],
    ['a JSON array', []],
    [
      'party_id too long',
      senderCredentials('2.2.1', TOKEN_B, `${SENDER_BASE}/versions`, {
        country_code: 'DE',
        party_id: 'ABCD',
      }),
    ],
  ])('valid JSON, invalid credentials (%s): HTTP 200 / 2001', async (_name, body) => {
    const { post, backing } = await setUp()
    const before = snapshot(backing)
    const response = await post(body)
    expect([response.status, response.body.status_code]).toEqual([200, 2001])
    expect(snapshot(backing)).toBe(before)
    await expectRetrySucceeds(post)
  })

  it('the TOKEN_A itself offered as the token for us: 2001', async () => {
    const { post, backing, invitation } = await setUp()
    const before = snapshot(backing)
    const response = await post(senderCredentials('2.2.1', invitation.token))
    expect([response.status, response.body.status_code]).toEqual([200, 2001])
    expect(snapshot(backing)).toBe(before)
  })

  it.each(['versions-500', 'details-500', 'versions-garbage', 'versions-unreachable'] as const)(
    'callback discovery fails (%s): HTTP 200 / 3001 naming the step, the detail in our log only',
    async (fail) => {
      const { post, backing, ocpi, captured } = await setUp()
      const failures: OcpiEvents['registration-failed'][] = []
      ocpi.on('registration-failed', (e) => failures.push(e))
      installSender(server, { version: '2.2.1', token: TOKEN_B, fail })
      const before = snapshot(backing)
      const response = await post(senderCredentials('2.2.1', TOKEN_B))
      expect([response.status, response.body.status_code]).toEqual([200, 3001])
      const step = fail.startsWith('details') ? 'GET version details' : 'GET versions'
      // What failed, and how, would let a TOKEN_A holder map our network with the URLs it hands us.
      expect(response.body.status_message).toBe(
        `unable to use your API (${step}); if this persists, ask our operators for the detail`,
      )
      const detail = {
        'versions-500': 'HTTP 500',
        'details-500': 'HTTP 500',
        'versions-garbage': 'not JSON',
        'versions-unreachable': 'reached',
      }[fail]
      expect(captured.lines.filter((line) => line.startsWith('warn our callback discovery'))).toEqual([
        expect.stringContaining(detail),
      ])
      expect(snapshot(backing)).toBe(before)
      expect(failures).toHaveLength(1)
      expect(failures[0]?.code).toBe('ERR_OCPI_CALLBACK_FAILED')
      await expectRetrySucceeds(post)
    },
  )

  it('the POSTed version is not in the sender versions list: HTTP 200 / 3002', async () => {
    const { post, backing } = await setUp()
    installSender(server, { version: '2.2.1', token: TOKEN_B, listed: ['2.1.1'] })
    const before = snapshot(backing)
    const response = await post(senderCredentials('2.2.1', TOKEN_B))
    expect([response.status, response.body.status_code]).toEqual([200, 3002])
    expect(snapshot(backing)).toBe(before)
    await expectRetrySucceeds(post)
  })

  it('a sender listing "2.2" is spoken to with the 2.2.1 wire format', async () => {
    const { post } = await setUp()
    const sender = installSender(server, { version: '2.2.1', token: TOKEN_B, listed: ['2.2', '2.1'] })
    const response = await post(senderCredentials('2.2.1', TOKEN_B))
    expect(response.body.status_code).toBe(1000)
    expect(sender.seen.at(-1)?.url).toBe(`${SENDER_BASE}/2.2`)
    // A 2.2 peer predates the Base64 rule: its details are fetched with the raw token, and that form is kept.
    expect(sender.seen.at(-1)?.authorization).toBe(`Token ${TOKEN_B}`)
  })

  it('required endpoints missing: HTTP 200 / 3003', async () => {
    const receiver = createReceiver({ requires: [{ module: 'tokens', role: 'RECEIVER' }] })
    const { token } = await receiver.ocpi.invite()
    installSender(server, { version: '2.2.1', token: TOKEN_B })
    const before = snapshot(receiver.backing)
    const response = await call(
      receiver.ocpi.handle,
      request('POST', '/2.2.1/credentials', { token, body: senderCredentials('2.2.1', TOKEN_B) }),
    )
    expect([response.status, response.body.status_code]).toEqual([200, 3003])
    expect(response.body.status_message).toContain('tokens (RECEIVER)')
    expect(snapshot(receiver.backing)).toBe(before)
  })

  it('a sender whose credentials endpoint is missing: 3003', async () => {
    const { post } = await setUp()
    installSender(server, {
      version: '2.2.1',
      token: TOKEN_B,
      endpoints: [{ identifier: 'locations', role: 'SENDER', url: `${SENDER_BASE}/2.2.1/locations` }],
    })
    const response = await post(senderCredentials('2.2.1', TOKEN_B))
    expect(response.body.status_code).toBe(3003)
  })

  it('parties the invitation does not expect are refused (2001); the invitation survives for the expected party', async () => {
    const receiver = createReceiver()
    const { token, peerId } = await receiver.ocpi.invite({
      expectedParties: [{ country_code: 'de', party_id: 'msp' }],
    })
    installSender(server, { version: '2.2.1', token: TOKEN_B })
    const before = snapshot(receiver.backing)
    const wrong = await call(
      receiver.ocpi.handle,
      request('POST', '/2.2.1/credentials', {
        token,
        body: senderCredentials('2.2.1', TOKEN_B, `${SENDER_BASE}/versions`, {
          country_code: 'FR',
          party_id: 'XYZ',
        }),
      }),
    )
    expect([wrong.status, wrong.body.status_code]).toEqual([200, 2001])
    expect(snapshot(receiver.backing)).toBe(before)
    const right = await call(
      receiver.ocpi.handle,
      request('POST', '/2.2.1/credentials', { token, body: senderCredentials('2.2.1', TOKEN_B) }),
    )
    expect(right.body.status_code).toBe(1000)
    expect((await receiver.ocpi.getPeer(peerId))?.state).toBe('registered')
  })

  it('a versions URL refused by the URL policy (loopback, http) is 2001 and nothing is called', async () => {
    const { post, backing } = await setUp()
    const before = snapshot(backing)
    for (const url of [
      'http://emsp.example.com/ocpi/versions',
      'https://127.0.0.1/ocpi/versions',
      'https://10.1.2.3/v',
    ]) {
      const response = await post(senderCredentials('2.2.1', TOKEN_B, url))
      expect([response.status, response.body.status_code]).toEqual([200, 2001])
    }
    expect(snapshot(backing)).toBe(before)
  })

  it('an expired invitation is 401', async () => {
    let now = Date.parse('2026-11-23T10:00:00Z')
    const receiver = createReceiver({ now: () => now })
    const { token } = await receiver.ocpi.invite({ expiresIn: 60_000 })
    expect((await call(receiver.ocpi.handle, request('GET', '/versions', { token }))).status).toBe(200)
    now += 60_000
    const response = await call(
      receiver.ocpi.handle,
      request('POST', '/2.2.1/credentials', { token, body: senderCredentials('2.2.1', TOKEN_B) }),
    )
    expect(response.status).toBe(401)
  })
})

describe('authentication of the served endpoints', () => {
  it.each([
    ['no header', {}],
    ['another scheme', { authorization: 'Bearer abc' }],
    ['an unknown token', { authorization: 'Token not-a-token-we-issued' }],
    ['an empty token', { authorization: 'Token ' }],
  ])('%s: HTTP 401 in an OCPI envelope', async (_name, headers) => {
    const { ocpi, captured } = createReceiver()
    const response = await call(ocpi.handle, request('GET', '/versions', { headers }))
    expect(response.status).toBe(401)
    expect(response.body.status_code).toBe(2000)
    expect(response.body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    expect(captured.lines.some((l) => l.startsWith('event authentication-failed'))).toBe(true)
  })

  it('accepts the token raw, Base64, and Base64 of token + LF (the spec examples)', async () => {
    const { ocpi, captured } = createReceiver()
    const { token } = await ocpi.invite()
    for (const authorization of [
      `Token ${token}`,
      `Token ${btoa(token)}`,
      `Token ${btoa(`${token}\n`)}`,
      `token  ${token}`,
    ]) {
      expect(
        (await call(ocpi.handle, request('GET', '/versions', { headers: { authorization } }))).status,
      ).toBe(200)
    }
    expectNoTokenIn(captured.lines, [token])
  })

  it('serves the versions list and version details with the host modules, and 404 / 405 elsewhere', async () => {
    const { ocpi } = createReceiver()
    const { token } = await ocpi.invite()
    const versions = await call(ocpi.handle, request('GET', '/versions', { token }))
    // Oldest first, as the spec's examples: a peer that takes the last entry gets our newest.
    expect(versions.body.data).toEqual([
      { version: '2.1.1', url: 'https://cpo.example.com/ocpi/2.1.1' },
      { version: '2.2.1', url: 'https://cpo.example.com/ocpi/2.2.1' },
      { version: '2.3.0', url: 'https://cpo.example.com/ocpi/2.3.0' },
    ])
    const details221 = await call(ocpi.handle, request('GET', '/2.2.1', { token }))
    expect(details221.body.data).toEqual({
      version: '2.2.1',
      endpoints: [
        { identifier: 'credentials', role: 'SENDER', url: 'https://cpo.example.com/ocpi/2.2.1/credentials' },
        { identifier: 'locations', role: 'SENDER', url: 'https://cpo.example.com/ocpi/2.2.1/locations' },
      ],
    })
    const details211 = await call(ocpi.handle, request('GET', '/2.1.1/', { token }))
    expect(details211.body.data).toEqual({
      version: '2.1.1',
      endpoints: [
        { identifier: 'credentials', url: 'https://cpo.example.com/ocpi/2.1.1/credentials' },
        { identifier: 'locations', url: 'https://cpo.example.com/ocpi/2.1.1/locations' },
      ],
    })
    expect((await call(ocpi.handle, request('GET', '/2.0', { token }))).status).toBe(404)
    expect((await call(ocpi.handle, request('GET', '/2.2.1/locations', { token }))).status).toBe(404)
    const post = await ocpi.handle(request('POST', '/versions', { token, body: {} }))
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('answers HEAD as GET without a body: the same status and headers, token checks included', async () => {
    const { ocpi } = createReceiver()
    const { token } = await ocpi.invite()
    const get = await ocpi.handle(request('GET', '/versions', { token }))
    const head = await ocpi.handle(request('HEAD', '/versions', { token }))
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'))
    expect(await head.text()).toBe('')
    expect((await ocpi.handle(request('HEAD', '/versions'))).status).toBe(401)
    expect((await ocpi.handle(request('HEAD', '/9.9.9', { token }))).status).toBe(404)
  })
})
