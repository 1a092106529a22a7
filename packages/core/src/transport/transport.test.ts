import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { OcpiConfigError, OcpiError, type OcpiErrorCode } from '../errors.js'
import { createTransport, type FetchLike, type OutboundRequest, transportDefaults } from './transport.js'

const SECRET = 's3cr3t-t0ken-value-42'
const AUTH = { Authorization: `Token ${SECRET}` }
const PEER = 'https://peer.example.com/ocpi/versions?q=private-query'

// --- helpers -------------------------------------------------------------------------------------

/** A fetch double answering with the given responses in turn (the last one repeats), recording requests. */
function recordingFetch(...answers: (() => Response | Promise<Response>)[]) {
  const calls: Request[] = []
  const fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init)
    calls.push(request)
    const answer = answers[Math.min(calls.length, answers.length) - 1]
    if (answer === undefined) throw new Error('no answer configured')
    return answer()
  }
  return { fetch, calls }
}

const json = (value: unknown, init?: ResponseInit) => () => Response.json(value, init)
const status = (code: number, headers?: Record<string, string>) => () =>
  Response.json(
    { status_code: 3000, timestamp: '2024-01-01T00:00:00Z' },
    { status: code, ...(headers ? { headers } : {}) },
  )
const networkError = () => Promise.reject(new TypeError('fetch failed'))
const hang = () => new Promise<Response>(() => {})

function get(url = PEER, extra: Partial<OutboundRequest> = {}): OutboundRequest {
  return { method: 'GET', url, headers: AUTH, step: 'GET versions', ...extra }
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

async function ocpiRejection(promise: Promise<unknown>, code: OcpiErrorCode): Promise<OcpiError> {
  const error = await rejectionOf(promise)
  expect(error).toBeInstanceOf(OcpiError)
  const ocpi = error as OcpiError
  expect(ocpi.code, ocpi.message).toBe(code)
  expectNoLeak(ocpi)
  return ocpi
}

/** Every string reachable from an error: messages, stacks, causes, own properties, Request headers. */
function reachableText(value: unknown, seen = new Set<unknown>(), depth = 0): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value !== 'object' && typeof value !== 'function') return String(value)
  if (seen.has(value) || depth > 10) return ''
  seen.add(value)
  const parts: string[] = []
  if (value instanceof Request || value instanceof Headers) {
    parts.push('[holds a Request or Headers]')
    const headers = value instanceof Request ? value.headers : value
    headers.forEach((v, k) => {
      parts.push(`${k}: ${v}`)
    })
  }
  if (value instanceof Error)
    parts.push(value.name, value.message, value.stack ?? '', reachableText(value.cause, seen, depth + 1))
  for (const key of Reflect.ownKeys(value)) {
    try {
      parts.push(reachableText(Reflect.get(value, key), seen, depth + 1))
    } catch {
      // an accessor that throws reveals nothing
    }
  }
  return parts.join('\n')
}

function expectNoLeak(error: unknown): void {
  const text = `${reachableText(error)}\n${inspect(error, { depth: 20, showHidden: true })}`
  expect(text).not.toContain(SECRET)
  expect(text).not.toContain('[holds a Request or Headers]')
  expect(text).not.toContain('private-query')
}

// --- injected fetch ------------------------------------------------------------------------------

describe('createTransport with an injected fetch', () => {
  it('sends a GET with Accept and the caller headers and parses the JSON answer', async () => {
    const { fetch, calls } = recordingFetch(
      json({ data: [], status_code: 1000 }, { headers: { 'x-a': 'b' } }),
    )
    const response = await createTransport({ fetch }).send(get())
    expect(response.status).toBe(200)
    expect(response.headers.get('x-a')).toBe('b')
    expect(response.body).toEqual({ ok: true, value: { data: [], status_code: 1000 } })
    expect(calls).toHaveLength(1)
    const [call] = calls
    expect(call?.method).toBe('GET')
    expect(call?.url).toBe(PEER)
    expect(call?.headers.get('accept')).toBe('application/json')
    expect(call?.headers.get('authorization')).toBe(`Token ${SECRET}`)
    expect(call?.redirect).toBe('manual')
  })

  it('serializes a POST body as JSON with Content-Type', async () => {
    const { fetch, calls } = recordingFetch(json({ status_code: 1000 }))
    const body = { token: 'abc', url: 'https://us.example.com/versions', roles: [] }
    await createTransport({ fetch }).send({ ...get(), method: 'POST', body, step: 'POST credentials' })
    expect(calls[0]?.headers.get('content-type')).toBe('application/json')
    expect(await calls[0]?.text()).toBe(JSON.stringify(body))
  })

  it('returns non-2xx responses instead of throwing, without retrying 4xx or 500', async () => {
    for (const code of [400, 401, 404, 405, 429, 500]) {
      const { fetch, calls } = recordingFetch(status(code))
      const response = await createTransport({ fetch }).send(get())
      expect(response.status).toBe(code)
      expect(response.body.ok).toBe(true)
      expect(calls, `status ${code}`).toHaveLength(1)
    }
  })

  it('retries a GET on 503, 502 and 504, then returns the success', async () => {
    const { fetch, calls } = recordingFetch(
      status(503, { 'retry-after': '0' }),
      status(502, { 'retry-after': '0' }),
      json({ status_code: 1000 }),
    )
    const response = await createTransport({ fetch, getRetries: 2 }).send(get())
    expect(response.status).toBe(200)
    expect(calls).toHaveLength(3)
  })

  it('returns the last 503 with its body once GET retries are spent', async () => {
    const { fetch, calls } = recordingFetch(status(503, { 'retry-after': '0' }))
    const response = await createTransport({ fetch, getRetries: 2 }).send(get())
    expect(calls).toHaveLength(3)
    expect(response.status).toBe(503)
    expect(response.body).toEqual({
      ok: true,
      value: { status_code: 3000, timestamp: '2024-01-01T00:00:00Z' },
    })
  })

  it('does not retry when the peer asks to wait longer than 5 s', async () => {
    const { fetch, calls } = recordingFetch(status(503, { 'retry-after': '3600' }))
    const response = await createTransport({ fetch }).send(get())
    expect(response.status).toBe(503)
    expect(calls).toHaveLength(1)
  })

  it('retries a GET after a network error', async () => {
    const { fetch, calls } = recordingFetch(networkError, json({ ok: 1 }))
    const response = await createTransport({ fetch, getRetries: 1 }).send(get())
    expect(response.body).toEqual({ ok: true, value: { ok: 1 } })
    expect(calls).toHaveLength(2)
  })

  for (const method of ['POST', 'PUT', 'DELETE'] as const) {
    it(`never retries ${method} (503, network error)`, async () => {
      const on503 = recordingFetch(status(503, { 'retry-after': '0' }), json({}))
      const response = await createTransport({ fetch: on503.fetch }).send({ ...get(), method, body: {} })
      expect(response.status).toBe(503)
      expect(on503.calls).toHaveLength(1)

      const onError = recordingFetch(networkError, json({}))
      const error = await ocpiRejection(
        createTransport({ fetch: onError.fetch }).send({ ...get(), method, step: `${method} credentials` }),
        'ERR_OCPI_PEER_UNREACHABLE',
      )
      expect(onError.calls).toHaveLength(1)
      expect(error.step).toBe(`${method} credentials`)
    })
  }

  it('refuses a URL before anything is sent', async () => {
    const { fetch, calls } = recordingFetch(json({}))
    const transport = createTransport({ fetch })
    for (const url of [
      'http://peer.example.com/',
      'https://10.0.0.1/x?token=private-query',
      'https://localhost/',
    ]) {
      const error = await ocpiRejection(transport.send(get(url)), 'ERR_OCPI_URL_REFUSED')
      expect(error.step).toBe('GET versions')
      expect(error.message).toMatch(/^GET versions: refused/)
    }
    expect(calls).toHaveLength(0)
  })

  it('honours the URL policy given to the transport', async () => {
    const { fetch, calls } = recordingFetch(json({}))
    await createTransport({ fetch, urlPolicy: { allowHosts: ['10.0.0.5'] } }).send(get('https://10.0.0.5/v'))
    expect(calls).toHaveLength(1)
  })

  it('refuses a request body over maxRequestBytes without sending, and accepts one at the limit', async () => {
    const { fetch, calls } = recordingFetch(json({}))
    const body = { pad: 'x'.repeat(90) } // {"pad":"xxx…"} is exactly 100 bytes
    expect(new TextEncoder().encode(JSON.stringify(body)).byteLength).toBe(100)
    const transport = createTransport({ fetch, maxRequestBytes: 100 })
    await transport.send({ ...get(), method: 'PUT', body })
    expect(calls).toHaveLength(1)
    const tooBig = { pad: 'é'.repeat(46) } // 92 bytes of UTF-8 plus 10 of JSON
    const error = await ocpiRejection(
      transport.send({ ...get(), method: 'PUT', body: tooBig }),
      'ERR_OCPI_INVALID_INPUT',
    )
    expect(error.message).toMatch(/102 bytes, over the limit of 100/)
    expect(calls).toHaveLength(1)
  })

  it('refuses bodies it cannot send: GET with a body, unserializable values', async () => {
    const { fetch, calls } = recordingFetch(json({}))
    const transport = createTransport({ fetch })
    await ocpiRejection(transport.send({ ...get(), body: {} }), 'ERR_OCPI_INVALID_INPUT')
    await ocpiRejection(
      transport.send({ ...get(), method: 'POST', body: { n: 1n } }),
      'ERR_OCPI_INVALID_INPUT',
    )
    await ocpiRejection(transport.send({ ...get(), method: 'POST', body: () => 1 }), 'ERR_OCPI_INVALID_INPUT')
    expect(calls).toHaveLength(0)
  })

  it('refuses an invalid header value without echoing it', async () => {
    const { fetch, calls } = recordingFetch(json({}))
    const headers = { Authorization: `Token ${SECRET}\r\nX-Injected: 1` }
    const error = await ocpiRejection(
      createTransport({ fetch }).send({ ...get(), headers }),
      'ERR_OCPI_INVALID_INPUT',
    )
    expect(error.message).toContain('header "Authorization"')
    expect(calls).toHaveLength(0)
  })

  const bodies: readonly (readonly [string, () => Response, unknown])[] = [
    ['a 204 without body', () => new Response(null, { status: 204 }), { ok: false, reason: 'empty' }],
    ['an empty 200', () => new Response(''), { ok: false, reason: 'empty' }],
    ['a whitespace body', () => new Response(' \n '), { ok: false, reason: 'empty' }],
    ['plain text', () => new Response('<html>oops</html>'), { ok: false, reason: 'not-json' }],
    ['truncated JSON', () => new Response('{"data":'), { ok: false, reason: 'not-json' }],
    [
      'invalid UTF-8',
      () => new Response(new Uint8Array([0x22, 0xff, 0x22])),
      { ok: false, reason: 'not-json' },
    ],
    ['JSON with a BOM', () => new Response('\uFEFF{"a":1}'), { ok: true, value: { a: 1 } }],
    ['a JSON string', () => new Response('"x"'), { ok: true, value: 'x' }],
  ]
  for (const [name, answer, expected] of bodies) {
    it(`reports ${name} as ${JSON.stringify(expected)}`, async () => {
      const { fetch } = recordingFetch(answer)
      expect((await createTransport({ fetch }).send(get())).body).toEqual(expected)
    })
  }

  it('caps an endless response stream and cancels it', async () => {
    let cancelled = false
    const endless = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull: (controller) => controller.enqueue(new Uint8Array(16 * 1024)),
          cancel: () => {
            cancelled = true
          },
        }),
      )
    const { fetch } = recordingFetch(endless)
    const error = await ocpiRejection(
      createTransport({ fetch, maxResponseBytes: 100_000 }).send(get()),
      'ERR_OCPI_PEER_INVALID_RESPONSE',
    )
    expect(error.message).toMatch(/exceeds 100000 bytes/)
    expect(cancelled).toBe(true)
  })

  it('does not trust a Content-Length that understates the body', async () => {
    const lying = () => new Response(new Uint8Array(200_000), { headers: { 'content-length': '10' } })
    const { fetch } = recordingFetch(lying)
    await ocpiRejection(
      createTransport({ fetch, maxResponseBytes: 100_000 }).send(get()),
      'ERR_OCPI_PEER_INVALID_RESPONSE',
    )
  })

  it('refuses early on a Content-Length over the cap', async () => {
    const { fetch } = recordingFetch(() => new Response('{}', { headers: { 'content-length': '5000000' } }))
    await ocpiRejection(createTransport({ fetch }).send(get()), 'ERR_OCPI_PEER_INVALID_RESPONSE')
  })

  it('refuses a redirect without following it', async () => {
    const { fetch, calls } = recordingFetch(() => Response.redirect('https://elsewhere.example.com/x', 302))
    const error = await ocpiRejection(createTransport({ fetch }).send(get()), 'ERR_OCPI_PEER_HTTP')
    expect(error.message).toMatch(
      /^GET versions: GET https:\/\/peer\.example\.com answered HTTP 302: redirect not followed/,
    )
    expect(calls).toHaveLength(1)
  })

  it('times out a fetch that never answers (even one that ignores the signal)', async () => {
    const { fetch, calls } = recordingFetch(hang)
    const error = await ocpiRejection(
      createTransport({ fetch, timeouts: { get: 100 }, getRetries: 0 }).send(get()),
      'ERR_OCPI_PEER_TIMEOUT',
    )
    expect(error.message).toMatch(/^GET versions: GET https:\/\/peer\.example\.com timed out/)
    expect(calls).toHaveLength(1)
  })

  it('times out a response body that never ends', async () => {
    const stalled = () =>
      new Response(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(1)) }))
    const { fetch } = recordingFetch(stalled)
    const error = await ocpiRejection(
      createTransport({ fetch, timeouts: { get: 100 } }).send(get()),
      'ERR_OCPI_PEER_TIMEOUT',
    )
    expect(error.message).toMatch(/while the response body was read/)
  })

  it('ends a body read at the total deadline when that comes before the attempt timeout', async () => {
    const stalled = () =>
      new Response(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(1)) }))
    const { fetch } = recordingFetch(stalled)
    const error = await ocpiRejection(
      // The attempt's own timeout (60 s) would outlast the test: only the total deadline can end this.
      createTransport({ fetch, timeouts: { get: 60_000, total: 100 } }).send(get()),
      'ERR_OCPI_PEER_TIMEOUT',
    )
    expect(error.message).toMatch(/while the response body was read/)
  })

  it("rejects with the caller's abort reason while the response body is read", async () => {
    const stalled = () =>
      new Response(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(1)) }))
    const { fetch } = recordingFetch(stalled)
    const controller = new AbortController()
    const reason = new Error('shutting down')
    const pending = createTransport({ fetch }).send(get(PEER, { signal: controller.signal }))
    setTimeout(() => controller.abort(reason), 20)
    expect(await rejectionOf(pending)).toBe(reason)
  })

  it('leaves no timer behind once a call is done, answered or failed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const answered = recordingFetch(json({ status_code: 1000 }))
      await createTransport({ fetch: answered.fetch }).send(get())
      expect(vi.getTimerCount()).toBe(0)
      const failed = recordingFetch(networkError)
      await rejectionOf(createTransport({ fetch: failed.fetch, getRetries: 0 }).send(get()))
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('reports a body stream that fails as unreachable', async () => {
    const broken = () =>
      new Response(new ReadableStream<Uint8Array>({ pull: (c) => c.error(new TypeError('terminated')) }))
    const { fetch } = recordingFetch(broken)
    await ocpiRejection(createTransport({ fetch }).send(get()), 'ERR_OCPI_PEER_UNREACHABLE')
  })

  it("rejects with the caller's abort reason, before or during the call", async () => {
    const { fetch, calls } = recordingFetch(hang)
    const transport = createTransport({ fetch })
    const reason = new Error('shutting down')
    expect(await rejectionOf(transport.send(get(PEER, { signal: AbortSignal.abort(reason) })))).toBe(reason)
    expect(calls).toHaveLength(0)

    const controller = new AbortController()
    const pending = transport.send(get(PEER, { signal: controller.signal }))
    setTimeout(() => controller.abort(reason), 20)
    expect(await rejectionOf(pending)).toBe(reason)
    expect(calls).toHaveLength(1)
  })

  it('forwards a clean TypeError from fetch as the cause', async () => {
    const failure = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    })
    const { fetch } = recordingFetch(() => Promise.reject(failure))
    const error = await ocpiRejection(
      createTransport({ fetch, getRetries: 0 }).send(get()),
      'ERR_OCPI_PEER_UNREACHABLE',
    )
    expect(error.cause).toBe(failure)
    expect(error.message).toBe(
      'GET versions: GET https://peer.example.com: the peer could not be reached (1 attempt)',
    )
  })

  it('drops a cause that holds the Request or mentions the token', async () => {
    const holding = Object.assign(new TypeError('fetch failed'), {
      request: new Request(PEER, { headers: AUTH }),
    })
    const mentioning = new TypeError(`invalid header Token ${SECRET}`)
    const nested = new TypeError('fetch failed', { cause: new Error(`echo ${SECRET}`) })
    const notAnError = { message: 'x', request: new Request(PEER, { headers: AUTH }) }
    // Regression (review): a truncated header value is still a leak; so is the decoded Base64 token.
    const truncated = new TypeError(`Invalid header value: "Token ${SECRET.slice(0, 12)}…"`)
    for (const thrown of [holding, mentioning, nested, notAnError, truncated]) {
      const { fetch } = recordingFetch(() => Promise.reject(thrown))
      const error = await ocpiRejection(
        createTransport({ fetch, getRetries: 0 }).send(get()),
        'ERR_OCPI_PEER_UNREACHABLE',
      )
      expect(error.cause).toBeUndefined()
    }
  })

  it('drops a cause that quotes a piece of a token sent Base64-encoded, or of a body token', async () => {
    const cases = [
      { headers: { authorization: `Token ${btoa(SECRET)}` }, body: undefined },
      {
        headers: { authorization: 'Token other-token-value-123' },
        body: { token: SECRET, url: 'https://x' },
      },
    ]
    for (const { headers, body } of cases) {
      const { fetch } = recordingFetch(() =>
        Promise.reject(new TypeError(`bad value ${SECRET.slice(3, 13)}`)),
      )
      const request =
        body === undefined
          ? get(PEER, { headers })
          : { ...get(PEER, { headers }), method: 'POST' as const, body }
      const error = await ocpiRejection(
        createTransport({ fetch, getRetries: 0 }).send(request),
        'ERR_OCPI_PEER_UNREACHABLE',
      )
      expect(error.cause).toBeUndefined()
    }
  })

  it('validates its options at creation', () => {
    expect(() => createTransport({ timeouts: { get: 0 } })).toThrow(OcpiConfigError)
    expect(() => createTransport({ timeouts: { total: Number.POSITIVE_INFINITY } })).toThrow(OcpiConfigError)
    expect(() => createTransport({ getRetries: -1 })).toThrow(OcpiConfigError)
    expect(() => createTransport({ getRetries: 1.5 })).toThrow(OcpiConfigError)
    expect(() => createTransport({ maxResponseBytes: 0 })).toThrow(OcpiConfigError)
    expect(() => createTransport({ urlPolicy: { allowHosts: ['peer.example.com:8443'] } })).toThrow(
      OcpiConfigError,
    )
  })

  it('documents its defaults', () => {
    expect(transportDefaults).toEqual({
      timeouts: { get: 10_000, post: 60_000, put: 60_000, delete: 15_000, total: 120_000 },
      getRetries: 2,
      maxResponseBytes: 4_194_304,
      maxRequestBytes: 4_194_304,
    })
    expect(transportDefaults.timeouts.post).toBeGreaterThanOrEqual(30_000)
    expect(transportDefaults.timeouts.put).toBeGreaterThanOrEqual(30_000)
  })
})

// --- against a real HTTP server ------------------------------------------------------------------

type Handler = (request: IncomingMessage, response: ServerResponse, hit: number) => void

const servers: Server[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

async function serve(handler: Handler): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = []
  const server = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`)
    handler(request, response, hits.length)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, hits }
}

function reply(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

const dev = { urlPolicy: { allowInsecure: true } } as const

describe('createTransport against a real HTTP server', () => {
  it('sends headers and a JSON body the server can read', async () => {
    let seen: { headers: IncomingMessage['headers']; body: string } | undefined
    const { url } = await serve((request, response) => {
      let body = ''
      request.setEncoding('utf8')
      request.on('data', (chunk: string) => {
        body += chunk
      })
      request.on('end', () => {
        seen = { headers: request.headers, body }
        reply(response, 200, { status_code: 1000 })
      })
    })
    const response = await createTransport(dev).send({
      method: 'POST',
      url: `${url}/ocpi/2.2.1/credentials`,
      headers: { ...AUTH, 'X-Request-ID': 'r-1' },
      body: { token: 'abc' },
      step: 'POST credentials',
    })
    expect(response.body).toEqual({ ok: true, value: { status_code: 1000 } })
    expect(seen?.body).toBe('{"token":"abc"}')
    expect(seen?.headers.accept).toBe('application/json')
    expect(seen?.headers['content-type']).toBe('application/json')
    expect(seen?.headers.authorization).toBe(`Token ${SECRET}`)
    expect(seen?.headers['x-request-id']).toBe('r-1')
  })

  it('retries a GET on 503 and then succeeds', async () => {
    const { url, hits } = await serve((_request, response, hit) =>
      hit === 1 ? reply(response, 503, { status_code: 3000 }) : reply(response, 200, { status_code: 1000 }),
    )
    const response = await createTransport(dev).send(get(`${url}/versions`))
    expect(response.status).toBe(200)
    expect(hits).toEqual(['GET /versions', 'GET /versions'])
  })

  for (const method of ['POST', 'PUT', 'DELETE'] as const) {
    it(`sends ${method} once on 503`, async () => {
      const { url, hits } = await serve((_request, response) => reply(response, 503, { status_code: 3000 }))
      const response = await createTransport(dev).send({
        ...get(`${url}/credentials`),
        method,
        body: { a: 1 },
      })
      expect(response.status).toBe(503)
      expect(hits).toHaveLength(1)
    })

    it(`sends ${method} once when it times out`, async () => {
      const { url, hits } = await serve(() => {})
      const timeouts = { post: 200, put: 200, delete: 200 }
      const error = await ocpiRejection(
        createTransport({ ...dev, timeouts }).send({
          ...get(`${url}/credentials`),
          method,
          step: `${method} credentials`,
        }),
        'ERR_OCPI_PEER_TIMEOUT',
      )
      expect(error.message).toContain(`${method} credentials: ${method} ${url} timed out`)
      expect(hits).toHaveLength(1)
    })
  }

  it('times out a GET that never answers, retrying it within the total deadline', async () => {
    const { url, hits } = await serve(() => {})
    const error = await ocpiRejection(
      createTransport({ ...dev, timeouts: { get: 150 }, getRetries: 1 }).send(get(`${url}/versions`)),
      'ERR_OCPI_PEER_TIMEOUT',
    )
    expect(error.message).toMatch(/2 attempts/)
    expect(hits).toHaveLength(2)
  })

  it('stops at the total deadline', async () => {
    const { url, hits } = await serve(() => {})
    const started = performance.now()
    await ocpiRejection(
      createTransport({ ...dev, timeouts: { get: 5_000, total: 200 } }).send(get(`${url}/versions`)),
      'ERR_OCPI_PEER_TIMEOUT',
    )
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(hits).toHaveLength(1)
  })

  it('does not follow a redirect', async () => {
    const { url, hits } = await serve((request, response) => {
      if (request.url === '/start') response.writeHead(302, { location: '/target' }).end()
      else reply(response, 200, { reached: true })
    })
    const error = await ocpiRejection(createTransport(dev).send(get(`${url}/start`)), 'ERR_OCPI_PEER_HTTP')
    expect(error.message).toMatch(/redirect not followed/)
    expect(error.step).toBe('GET versions')
    expect(hits).toEqual(['GET /start'])
  })

  it('caps a response streamed past maxResponseBytes', async () => {
    const { url } = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      const chunk = 'x'.repeat(64 * 1024)
      let sent = 0
      const pump = () => {
        while (sent < 64 && response.write(chunk)) sent += 1
        if (sent < 64) response.once('drain', pump)
        else response.end()
      }
      response.on('error', () => {})
      pump()
    })
    await ocpiRejection(
      createTransport({ ...dev, maxResponseBytes: 100_000 }).send(get(`${url}/big`)),
      'ERR_OCPI_PEER_INVALID_RESPONSE',
    )
  })

  it('reports not-json and empty bodies', async () => {
    const { url } = await serve((request, response) => {
      if (request.url === '/text') response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>')
      else if (request.url === '/204') response.writeHead(204).end()
      else response.writeHead(200).end()
    })
    const transport = createTransport(dev)
    expect((await transport.send(get(`${url}/text`))).body).toEqual({ ok: false, reason: 'not-json' })
    expect((await transport.send(get(`${url}/204`))).body).toEqual({ ok: false, reason: 'empty' })
    expect((await transport.send(get(`${url}/empty`))).body).toEqual({ ok: false, reason: 'empty' })
  })

  it('reports a closed port as unreachable, naming step, method and origin only', async () => {
    const { url } = await serve(() => {})
    const server = servers.pop()
    await new Promise<void>((resolve) => server?.close(() => resolve()))
    const error = await ocpiRejection(
      createTransport({ ...dev, getRetries: 0 }).send(get(`${url}/versions?token=private-query`)),
      'ERR_OCPI_PEER_UNREACHABLE',
    )
    expect(error.message).toBe(`GET versions: GET ${url}: the peer could not be reached (1 attempt)`)
    expect(error.cause).toBeInstanceOf(TypeError)
  })
})
