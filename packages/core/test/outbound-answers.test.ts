// What a peer answers our POST and PUT with is checked before it becomes a link, and an answer we did
// not get is never taken for a refusal while the peer may still commit.
import { describe, expect, it } from 'vitest'
import { type CredentialsStore, memoryStore } from '../src/index.js'
import { twoPlatforms } from './two-platforms.js'

type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>

/** The TOKEN_A of the registration under way (the answer rewriters hand it back). */
let tokenA = ''

/** A fetch over `network` that replaces the token in the answers to requests `match` picks. */
function rewriting(
  network: () => FetchLike,
  match: (request: Request) => boolean,
  token: (body: string) => string,
): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init)
    const body = request.method === 'GET' ? '' : await request.clone().text()
    const response = await network()(request)
    if (!match(request)) return response
    const json = (await response.json()) as { data?: { token?: string } }
    if (json.data?.token !== undefined) json.data.token = token(body)
    return Response.json(json, { status: response.status })
  }
}

describe("the peer's token in a credentials answer", () => {
  for (const [what, token] of [
    ['our TOKEN_A', () => tokenA],
    ['the token we gave it', (body: string) => (JSON.parse(body) as { token: string }).token],
  ] as const) {
    it(`register refuses an answer handing back ${what} as the token for us (the peer registered us)`, async () => {
      let network: FetchLike = async () => {
        throw new TypeError('not wired')
      }
      const isPost = (r: Request) => r.method === 'POST' && r.url.endsWith('/credentials')
      const platforms = twoPlatforms({ emsp: { fetch: rewriting(() => network, isPost, token) } })
      network = platforms.fetch
      const invitation = await platforms.cpo.ocpi.invite()
      tokenA = invitation.token
      const error = await platforms.emsp.ocpi
        .register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
        .catch((e: unknown) => e)
      // The peer answered success, so it registered us: the outcome is reported as unknown (never as a
      // refusal a retry could fix), caused by the invalid answer, and nothing of ours stays alive.
      expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'POST credentials' })
      expect((error as Error).cause).toMatchObject({ code: 'ERR_OCPI_PEER_INVALID_RESPONSE' })
      expect((await platforms.emsp.ocpi.listPeers()).map((p) => p.state)).toEqual(['unregistered'])
    })
  }

  it('rotate does not take our own new token for the peer’s: it settles, and the link works', async () => {
    let network: FetchLike = async () => {
      throw new TypeError('not wired')
    }
    let echo = false
    const isPut = (r: Request) => echo && r.method === 'PUT' && r.url.endsWith('/credentials')
    const platforms = twoPlatforms({
      cpo: {
        fetch: rewriting(
          () => network,
          isPut,
          (body) => (JSON.parse(body) as { token: string }).token,
        ),
      },
    })
    network = platforms.fetch
    const { cpo, emsp } = platforms
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    echo = true
    await expect(cpo.ocpi.rotate(invitation.peerId)).resolves.toMatchObject({ state: 'registered' })
    echo = false
    expect((await cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
  })
})

describe('rotate: a PUT that timed out while the peer was still processing it', () => {
  it('is an unknown outcome, not a refusal, and the link works once the peer commits', async () => {
    let release: () => void = () => undefined
    let committed: Promise<unknown> = Promise.resolve()
    let hold = false
    const inner = memoryStore()
    const emspStore: CredentialsStore = {
      ...inner,
      commitToken: (args) => {
        if (!hold) return inner.commitToken(args)
        hold = false
        committed = new Promise<void>((resolve) => {
          release = resolve
        }).then(() => inner.commitToken(args))
        return committed as ReturnType<CredentialsStore['commitToken']>
      },
    }
    const { cpo, emsp } = twoPlatforms({
      cpo: { transport: { timeouts: { put: 100 } } },
      emsp: { store: emspStore },
    })
    const invitation = await cpo.ocpi.invite()
    const onEmsp = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    hold = true
    // Our PUT times out; the settling GET still gets our old token back: the peer has not committed yet.
    await expect(cpo.ocpi.rotate(invitation.peerId)).rejects.toMatchObject({
      code: 'ERR_OCPI_OUTCOME_UNKNOWN',
      step: 'PUT credentials',
    })
    release()
    await committed // the peer commits our PUT after all
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
    expect((await cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
    // Rotating again settles the link on fresh tokens.
    await cpo.ocpi.rotate(invitation.peerId)
    expect((await emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
    expect((await cpo.ocpi.client(invitation.peerId).request('tokens', 'SENDER')).status).toBe(200)
  })
})

describe('the outbound client names a party the peer knows', () => {
  it('defaults OCPI-from to a party presented on the link’s version (PTP is not, on 2.2.1), and refuses naming one', async () => {
    const { cpo, emsp } = twoPlatforms({
      cpo: {
        versions: ['2.2.1'],
        parties: [
          { role: 'PTP', country_code: 'NL', party_id: 'PTP', business_details: { name: 'terminals' } },
          { role: 'CPO', country_code: 'NL', party_id: 'CPO', business_details: { name: 'CPO' } },
        ],
      },
    })
    const invitation = await cpo.ocpi.invite()
    await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    const client = cpo.ocpi.client(invitation.peerId)
    expect((await client.request('tokens', 'SENDER')).status).toBe(200)
    expect(emsp.received.at(-1)?.headers['ocpi-from-party-id']).toBe('CPO')
    const sent = emsp.received.length
    await expect(
      client.request('tokens', 'SENDER', { from: { country_code: 'NL', party_id: 'PTP' } }),
    ).rejects.toMatchObject({ code: 'ERR_OCPI_INVALID_INPUT' })
    expect(emsp.received).toHaveLength(sent)
  })
})

it('register: a peer that reuses our TOKEN_A as our link token is not taken for one that committed nothing', async () => {
  // A fake peer that accepts only TOKEN_A (before and after answering) and answers the POST with it.
  const TOKEN_A = 'token-a-reused-by-the-peer-0123456789abcdefg'
  const base = 'https://lazy.example.com/ocpi'
  let committed = false
  const envelope = (data: unknown) =>
    Response.json({ data, status_code: 1000, timestamp: '2026-11-23T10:00:00Z' })
  const fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init)
    const authorization = request.headers.get('authorization') ?? ''
    if (authorization !== `Token ${TOKEN_A}` && authorization !== `Token ${btoa(TOKEN_A)}`) {
      return Response.json({ status_code: 2002, timestamp: '2026-11-23T10:00:00Z' }, { status: 401 })
    }
    const path = new URL(request.url).pathname
    if (path.endsWith('/versions')) return envelope([{ version: '2.2.1', url: `${base}/2.2.1` }])
    if (path.endsWith('/2.2.1'))
      return envelope({
        version: '2.2.1',
        endpoints: [{ identifier: 'credentials', role: 'SENDER', url: `${base}/2.2.1/credentials` }],
      })
    committed = true
    return envelope({
      token: TOKEN_A,
      url: `${base}/versions`,
      roles: [{ role: 'EMSP', country_code: 'DE', party_id: 'LZY', business_details: { name: 'Lazy' } }],
    })
  }
  const { cpo } = twoPlatforms({ cpo: { fetch } })
  const error = await cpo.ocpi
    .register({ versionsUrl: `${base}/versions`, token: TOKEN_A })
    .catch((e: unknown) => e)
  expect(committed).toBe(true)
  expect(error).toMatchObject({ code: 'ERR_OCPI_OUTCOME_UNKNOWN', step: 'POST credentials' })
  expect(JSON.stringify(cpo.lines)).not.toContain(TOKEN_A)
})
