import {
  createAdminHandler,
  createMemoryBacking,
  createOcpi,
  memoryStore,
  type Ocpi,
  type OcpiOptions,
} from '@ocpi-credentials/core'
import { describe, expect, it } from 'vitest'
import { createMockPeer } from '../mock-peer/create-mock-peer.js'
import { instrumentCreateAdminHandler, instrumentCreateOcpi } from './instrument-ocpi.js'
import { installProcessCapture } from './process-capture.js'
import { createSecretLedger } from './secret-ledger.js'

const options = (overrides: Partial<OcpiOptions> = {}): OcpiOptions => ({
  baseUrl: 'https://cpo.example.com/ocpi',
  parties: [{ role: 'CPO', country_code: 'NL', party_id: 'CPO', business_details: { name: 'CPO' } }],
  store: memoryStore({ backing: createMemoryBacking() }),
  sealingKeys: [{ kid: 'k', key: new Uint8Array(32).fill(3) }],
  fetch: async () => {
    throw new TypeError('fetch failed')
  },
  transport: { getRetries: 0 },
  ...overrides,
})

describe('instrumentCreateOcpi', () => {
  it('learns the tokens crossing an instance: TOKEN_As issued, Authorization headers, tokens handed over', async () => {
    const ledger = createSecretLedger()
    const ocpi = instrumentCreateOcpi(createOcpi, ledger)(options())
    const invitation = await ocpi.invite()
    await ocpi.handle(
      new Request('https://cpo.example.com/ocpi/versions', {
        headers: { authorization: 'Token not-a-known-token' },
      }),
    )
    await ocpi
      .register({ versionsUrl: 'https://emsp.example.com/ocpi/versions', token: 'token-a-of-the-partner' })
      .catch(() => 0)
    const { invitation: reissued } = await ocpi.revoke(invitation.peerId)
    for (const token of [
      invitation.token,
      'not-a-known-token',
      'token-a-of-the-partner',
      reissued?.token ?? '',
    ]) {
      ledger.addText(`oops ${token}`, token.slice(0, 4))
    }
    expect(ledger.findLeaks()).toHaveLength(4)
  })

  it('learns the tokens of credentials bodies both ways: our POST and its answer, a POST to us and our answer', async () => {
    /** The labels of the tokens the ledger knows, found by writing each into a log line of its own. */
    const known = (ledger: ReturnType<typeof createSecretLedger>, tokens: Record<string, string | null>) => {
      for (const [label, token] of Object.entries(tokens)) ledger.addText(`a log line with ${token}`, label)
      return ledger.findLeaks().map((leak) => leak.textSource)
    }

    // We register: the mock reaches our bare handler, so its callbacks' Authorization headers (TOKEN_B)
    // teach the instrumentation nothing; only the bodies of our POST and of its answer carry the tokens.
    const sender = createSecretLedger()
    let bare: Ocpi | undefined
    const partner = createMockPeer({
      baseUrl: 'https://emsp.example.com/ocpi',
      fetch: (request) => (bare as Ocpi).handle(request),
    })
    const ocpi = instrumentCreateOcpi((given) => {
      bare = createOcpi(given)
      return bare
    }, sender)(options({ fetch: partner.fetch }))
    await ocpi.register({ versionsUrl: partner.versionsUrl, token: partner.invite() })
    expect(
      known(sender, {
        'TOKEN_B of our POST': partner.state.tokenFromSdk,
        'TOKEN_C of its answer': partner.state.tokenForSdk,
      }),
    ).toEqual(['TOKEN_B of our POST', 'TOKEN_C of its answer'])

    // It registers with us: our answer carries the token we issue it, which nobody has used yet.
    const receiver = createSecretLedger()
    const registering = createMockPeer({
      baseUrl: 'https://cpo-partner.example.com/ocpi',
      fetch: (request) => host.handle(request),
    })
    const host = instrumentCreateOcpi(createOcpi, receiver)(options({ fetch: registering.fetch }))
    const invitation = await host.invite()
    const result = await registering.register({
      versionsUrl: invitation.versionsUrl,
      token: invitation.token,
    })
    expect(result).toMatchObject({ ok: true })
    expect(known(receiver, { 'our answer': registering.state.tokenFromSdk })).toEqual(['our answer'])

    // A POST to us: its body's token is learnt whatever the outcome (here refused before any callback
    // that would carry it in an Authorization header: no roles).
    const refused = createSecretLedger()
    const lone = instrumentCreateOcpi(createOcpi, refused)(options())
    const { token: tokenA } = await lone.invite()
    const body = {
      token: 'token-b-of-a-partner-0123456789',
      url: 'https://partner.example.com/ocpi/versions',
      roles: [],
    }
    await lone.handle(
      new Request('https://cpo.example.com/ocpi/2.2.1/credentials', {
        method: 'POST',
        headers: { authorization: `Token ${btoa(tokenA)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    )
    expect(known(refused, { 'its POST': body.token })).toEqual(['its POST'])
  })

  it('reads no more of a body than the SDK would: a body past its cap is not buffered whole', async () => {
    /** 256 KiB in 1 KiB chunks, counting what is pulled from it. */
    const long = (pulled: { bytes: number }) => {
      const chunk = new TextEncoder().encode(`{"token":"${'x'.repeat(1014)}`)
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled.bytes >= 256 * 1024) return controller.close()
          pulled.bytes += chunk.byteLength
          controller.enqueue(chunk)
        },
      })
    }
    const inbound = { bytes: 0 }
    const ocpi = instrumentCreateOcpi(createOcpi, createSecretLedger())(options({ maxRequestBytes: 1024 }))
    const { token } = await ocpi.invite()
    const answer = await ocpi.handle(
      new Request('https://cpo.example.com/ocpi/2.2.1/credentials', {
        method: 'POST',
        headers: { authorization: `Token ${btoa(token)}`, 'content-type': 'application/json' },
        body: long(inbound),
        duplex: 'half',
      } as RequestInit),
    )
    expect(answer.status).toBe(413)
    expect(inbound.bytes).toBeLessThan(64 * 1024)

    const outbound = { bytes: 0 }
    const peer = instrumentCreateOcpi(
      createOcpi,
      createSecretLedger(),
    )(
      options({
        fetch: async () => new Response(long(outbound), { headers: { 'content-type': 'application/json' } }),
        transport: { getRetries: 0, maxResponseBytes: 4096 },
      }),
    )
    await expect(
      peer.register({
        versionsUrl: 'https://emsp.example.com/ocpi/versions',
        token: 'token-a-of-the-partner',
      }),
    ).rejects.toMatchObject({ code: 'ERR_OCPI_PEER_INVALID_RESPONSE' })
    expect(outbound.bytes).toBeLessThan(64 * 1024)
  })

  it('captures logs (still forwarded to the caller logger), events, rejections and error answers', async () => {
    const captured: { source: string; text: string }[] = []
    const forwarded: string[] = []
    const ocpi = instrumentCreateOcpi(createOcpi, {
      addSecret: () => undefined,
      addText: (text, source) => captured.push({ source, text }),
      addPublicId: () => undefined,
    })(options({ logger: { warn: (message) => forwarded.push(message) } }))
    const invitation = await ocpi.invite()
    await ocpi.handle(new Request('https://cpo.example.com/ocpi/versions'))
    await expect(
      ocpi.register({ versionsUrl: 'https://emsp.example.com/ocpi/versions', token: 'x'.repeat(10) }),
    ).rejects.toMatchObject({ code: 'ERR_OCPI_PEER_UNREACHABLE' })
    await ocpi.revoke(invitation.peerId)
    expect(forwarded).toEqual(['revoked every token of a peer'])
    expect([...new Set(captured.map((c) => c.source))].sort()).toEqual([
      'error answer of handle',
      'error of register',
      'event authentication-failed',
      'event invited',
      'event revoked',
      'logger.warn',
    ])
    const text = (source: string) => captured.find((c) => c.source === source)?.text
    expect(text('error answer of handle')).toContain('missing or malformed Authorization header')
    expect(text('error of register')).toMatch(/^OcpiError: GET versions: .*cause: TypeError: fetch failed/)
    expect(text('logger.warn')).toBe(
      `revoked every token of a peer {"peerId":"${invitation.peerId}","reinvited":true}`,
    )
  })

  it('hands values of the wrong type to the SDK unchanged, for it to refuse', () => {
    const ledger = createSecretLedger()
    const create = instrumentCreateOcpi(createOcpi, ledger)
    expect(() => create(options({ fetch: 'nope' as unknown as NonNullable<OcpiOptions['fetch']> }))).toThrow(
      /fetch must be a function/,
    )
    expect(ledger.counts().texts).toBe(1)
  })

  it('finds a leak through any of its channels (a logger that received a token, here a stand-in SDK)', async () => {
    const ledger = createSecretLedger()
    const token = 'leaked-token-0123456789abcdef'
    const standIn = (given: OcpiOptions): Ocpi => {
      given.logger?.warn?.('refused', { token })
      return createOcpi(options())
    }
    instrumentCreateOcpi(standIn, ledger)(options())
    ledger.addSecret(token, 'fixture')
    expect(ledger.findLeaks().map((l) => l.textSource)).toEqual(['logger.warn'])
  })
})

describe('instrumentCreateAdminHandler', () => {
  it('learns the Authorization header and captures error bodies and errors given to onError', async () => {
    const ledger = createSecretLedger()
    const seen: unknown[] = []
    const admin = instrumentCreateAdminHandler(createAdminHandler, ledger)(createOcpi(options()), {
      onError: (error) => seen.push(error),
    })
    const response = await admin(
      new Request('https://cpo.example.com/admin/nothing', {
        headers: { authorization: 'Bearer admin-secret-42' },
      }),
    )
    expect(response.status).toBe(404)
    ledger.addText('admin-secret-42', 'test')
    expect(ledger.findLeaks().map((l) => l.textSource)).toEqual(['test'])
    expect(ledger.counts().texts).toBe(2)
    expect(seen).toEqual([])
  })
})

describe('installProcessCapture', () => {
  it('reports console output and parsed JSON token fields to the sink in place', () => {
    const capture = installProcessCapture()
    const ledger = createSecretLedger()
    const previous = capture.setSink(ledger)
    try {
      console.info('process capture probe')
      JSON.parse('{"data":{"token":"parsed-token-value-1"}}')
    } finally {
      capture.setSink(previous)
    }
    ledger.addText('parsed-token-value-1', 'test')
    expect(ledger.findLeaks().map((l) => [l.textSource, l.secretSource])).toEqual([
      ['test', 'token field of a parsed JSON document'],
    ])
    expect(ledger.counts()).toMatchObject({ texts: 2 })
  })
})
