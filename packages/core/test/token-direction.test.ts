// Token direction (implementations.md bug 1, reference §2.7: the tokens must differ) on the update paths,
// and the Authorization form pinned per peer (reference §3.2: overridable per peer) on any link.
import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import {
  call,
  createReceiver,
  installSender,
  registerSender,
  request,
  SENDER_BASE,
  senderCredentials,
  useMswServer,
} from './harness.js'
import { twoPlatforms } from './two-platforms.js'

const server = useMswServer()
const TOKEN_B = 'sender-token-B-probe-0123456789abcdefghijklm'

describe('token direction (implementations.md bug 1; reference §2.7 "tokens must be different")', () => {
  it('a PUT whose body token is the token the peer calls us with (ours) is refused (2001), as a POST offering the TOKEN_A is', async () => {
    const link = await registerSender(server, '2.2.1', TOKEN_B)
    server.resetHandlers()
    // A peer that mixed up token directions; its discovery endpoints take that token.
    installSender(server, { version: '2.2.1', token: link.tokenC })
    const put = await call(
      link.ocpi.handle,
      request('PUT', '/2.2.1/credentials', {
        token: link.tokenC,
        body: senderCredentials('2.2.1', link.tokenC),
      }),
    )
    expect(put.body.status_code).toBe(2001)
  })

  it('rotate does not commit the token we issued to the peer as the peer’s token for us', async () => {
    let network: (input: Request | string | URL, init?: RequestInit) => Promise<Response> = async () => {
      throw new TypeError('not wired')
    }
    let ours = '' // the token the CPO issued to the eMSP, as the eMSP sends it
    let rewrite = false
    const platforms = twoPlatforms({
      cpo: {
        fetch: async (input, init) => {
          const req = new Request(input, init)
          const res = await network(req)
          if (!(rewrite && req.method === 'PUT' && req.url.endsWith('/credentials'))) return res
          const json = (await res.json()) as { data: { token: string } }
          json.data.token = ours // the peer answers with the token it uses to call us
          return Response.json(json, { status: res.status })
        },
      },
    })
    network = platforms.fetch
    const { cpo, emsp } = platforms
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
    ours = atob((cpo.received.at(-1)?.authorization ?? '').slice('Token '.length))
    rewrite = true
    const rotated = await cpo.ocpi.rotate(invitation.peerId).then(
      (p) => p.state,
      (e: unknown) => (e as { code?: string }).code,
    )
    expect(rotated).toBe('registered')
    rewrite = false
    // As with an echo of our own new token (outbound-answers.test.ts), the rotation settled by asking the
    // peer (GET credentials), not by committing our own token as the one we call the peer with.
    expect((await cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
  })
})

describe('outbound Authorization form per peer (reference §3.2 "make it overridable per peer")', () => {
  it('can be pinned by a rotation on a link the peer initiated, as register({ encoding }) does for ours', async () => {
    // A 2.2.1 sender whose discovery endpoints take both forms but whose modules take only raw: the
    // case register's `encoding` exists for. It registers with us: the probe stores Base64, for good.
    const { ocpi } = createReceiver()
    installSender(server, { version: '2.2.1', token: TOKEN_B })
    // The peer's token for us: TOKEN_B, then what it answers our rotation's PUT with.
    let current = TOKEN_B
    const putAuthorizations: (string | null)[] = []
    server.use(
      http.get(`${SENDER_BASE}/2.2.1/tokens`, ({ request }) =>
        request.headers.get('authorization') === `Token ${current}`
          ? HttpResponse.json({ data: [], status_code: 1000, timestamp: '2026-11-23T10:00:00Z' })
          : HttpResponse.json({ status_code: 2000, timestamp: '2026-11-23T10:00:00Z' }, { status: 401 }),
      ),
      http.put(`${SENDER_BASE}/2.2.1/credentials`, ({ request }) => {
        putAuthorizations.push(request.headers.get('authorization'))
        current = `${TOKEN_B}-rotated`
        return HttpResponse.json({
          data: senderCredentials('2.2.1', current),
          status_code: 1000,
          timestamp: '2026-11-23T10:00:00Z',
        })
      }),
    )
    const { token, peerId } = await ocpi.invite()
    const posted = await call(
      ocpi.handle,
      request('POST', '/2.2.1/credentials', { token, body: senderCredentials('2.2.1', TOKEN_B) }),
    )
    expect(posted.body.status_code).toBe(1000)
    // The probe cannot tell: the link keeps Base64, which the modules refuse.
    expect((await ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(401)
    // The host pins the form with a rotation: its PUT and every later call use raw alone.
    await ocpi.rotate(peerId, { encoding: 'raw' })
    expect(putAuthorizations).toEqual([`Token ${TOKEN_B}`])
    expect((await ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(200)
    await expect(ocpi.rotate(peerId, { encoding: 'hex' as 'raw' })).rejects.toMatchObject({
      code: 'ERR_OCPI_INVALID_INPUT',
    })
  })
})

const T = '2026-11-23T10:00:00Z'

/** A 2.2.1 sender whose discovery takes both forms, its modules raw only; registered with us (Base64 stored). */
async function pinnedInDoubt() {
  const { ocpi } = createReceiver()
  installSender(server, { version: '2.2.1', token: TOKEN_B })
  let current = TOKEN_B
  let loseAnswers = true
  let ourPending = ''
  server.use(
    http.get(`${SENDER_BASE}/2.2.1/tokens`, ({ request }) =>
      request.headers.get('authorization') === `Token ${current}`
        ? HttpResponse.json({ data: [], status_code: 1000, timestamp: T })
        : HttpResponse.json({ status_code: 2000, timestamp: T }, { status: 401 }),
    ),
    http.put(`${SENDER_BASE}/2.2.1/credentials`, async ({ request }) => {
      ourPending = ((await request.json()) as { token: string }).token
      current = `${TOKEN_B}-rotated`
      // The peer takes our PUT; its answer is lost (a gateway's 502).
      return new HttpResponse('bad gateway', { status: 502 })
    }),
    http.get(`${SENDER_BASE}/2.2.1/credentials`, () =>
      loseAnswers
        ? new HttpResponse('bad gateway', { status: 502 })
        : HttpResponse.json({ data: senderCredentials('2.2.1', current), status_code: 1000, timestamp: T }),
    ),
  )
  const { token, peerId } = await ocpi.invite()
  const posted = await call(
    ocpi.handle,
    request('POST', '/2.2.1/credentials', { token, body: senderCredentials('2.2.1', TOKEN_B) }),
  )
  expect(posted.body.status_code).toBe(1000)
  expect((await ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(401)
  await expect(ocpi.rotate(peerId, { encoding: 'raw' })).rejects.toMatchObject({
    code: 'ERR_OCPI_OUTCOME_UNKNOWN',
  })
  loseAnswers = false
  return {
    ocpi,
    peerId,
    ourPending: () => ourPending,
    peerTokenIs: (token: string) => {
      current = token
    },
  }
}

describe('rotate({ encoding }) whose outcome was unknown', () => {
  it('settled by the health checks: the pinned form is kept', async () => {
    const { ocpi, peerId } = await pinnedInDoubt()
    expect(await ocpi.checkHealth()).toMatchObject({ settled: [peerId] })
    expect((await ocpi.getPeer(peerId))?.state).toBe('registered')
    // The host pinned raw; the settled link must call the peer's modules in raw.
    expect((await ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(200)
  })

  it('settled by a PUT of the peer made with our pending token: the pinned form is kept', async () => {
    const { ocpi, peerId, ourPending, peerTokenIs } = await pinnedInDoubt()
    const next = `${TOKEN_B}-from-its-put`
    installSender(server, { version: '2.2.1', token: next })
    peerTokenIs(next)
    const put = await call(
      ocpi.handle,
      request('PUT', '/2.2.1/credentials', { token: ourPending(), body: senderCredentials('2.2.1', next) }),
    )
    expect(put.body.status_code).toBe(1000)
    expect((await ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(200)
  })

  it('settled by rotating again with the same { encoding }: the pinned form is applied', async () => {
    const { ocpi, peerId } = await pinnedInDoubt()
    await ocpi.rotate(peerId, { encoding: 'raw' })
    expect((await ocpi.client(peerId).request('tokens', 'SENDER')).status).toBe(200)
  })
})
