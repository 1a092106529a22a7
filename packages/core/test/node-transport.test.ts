// The Node transport (`@ocpi-credentials/core/node`): the URL policy applied to what a peer's host name
// resolves to, when each connection is made. Network traffic stays on 127.0.0.1: names resolve through
// an injected lookup, and where a lookup answers anything else the test's sockets carry a net.BlockList
// that stops them before any packet is sent.
import { once } from 'node:events'
import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createMemoryBacking,
  createOcpi,
  createTransport,
  memoryStore,
  OcpiError,
  type UrlPolicy,
} from '../src/index.js'
import { createNodeFetch, type NodeFetch, type NodeLookup } from '../src/node/index.js'
import { SEALING_KEY } from './harness.js'

const PUBLIC_V4 = '93.184.216.34'

/** A lookup that answers every name with these addresses, and counts its calls. */
function answers(...addresses: string[]): NodeLookup & { calls: string[] } {
  const calls: string[] = []
  const lookup = async (hostname: string) => {
    calls.push(hostname)
    return addresses.map((address) => ({ address, family: net.isIP(address) }))
  }
  return Object.assign(lookup, { calls })
}

/** A lookup that answers each call with the next of these answer lists (the last one repeats). */
function rebinding(...sequence: string[][]): NodeLookup & { calls: string[] } {
  const calls: string[] = []
  const lookup = async (hostname: string) => {
    const next = sequence[Math.min(calls.length, sequence.length - 1)] ?? []
    calls.push(hostname)
    return next.map((address) => ({ address, family: net.isIP(address) }))
  }
  return Object.assign(lookup, { calls })
}

interface LoopbackServer {
  readonly port: number
  /** TCP connections accepted (a TLS ClientHello or an HTTP request would each need one). */
  readonly connections: () => number
  readonly requests: { method: string; url: string; host: string | undefined }[]
  readonly close: () => Promise<void>
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** An HTTP server on 127.0.0.1 that answers every request with a small JSON body. */
async function loopbackServer(
  handle: (request: http.IncomingMessage, response: http.ServerResponse) => void = (_, response) => {
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ status_code: 1000, data: [] }))
  },
): Promise<LoopbackServer> {
  const requests: LoopbackServer['requests'] = []
  let connections = 0
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', host: request.headers.host })
    handle(request, response)
  })
  server.on('connection', () => {
    connections += 1
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const close = async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  cleanups.push(close)
  const { port } = server.address() as net.AddressInfo
  return { port, connections: () => connections, requests, close }
}

/**
 * Gives every plain-TCP socket undici opens a net.BlockList of these addresses: Node then fails the
 * connection with ERR_IP_BLOCKED after the lookup and before the connect system call. A test whose
 * lookup answers a non-loopback address uses it (with http: TLS sockets do not take a BlockList), so
 * that not even a broken guard could send a packet off the machine.
 */
function stopSocketsTo(...addresses: string[]) {
  const blockList = new net.BlockList()
  for (const address of addresses) blockList.addAddress(address, net.isIPv6(address) ? 'ipv6' : 'ipv4')
  const connect = net.connect
  return vi
    .spyOn(net, 'connect')
    .mockImplementation(((options: net.NetConnectOpts) =>
      connect({ ...options, blockList } as net.NetConnectOpts)) as typeof net.connect)
}

function nodeFetch(options: Parameters<typeof createNodeFetch>[0]): NodeFetch {
  const fetch = createNodeFetch(options)
  cleanups.push(() => fetch.close())
  return fetch
}

async function refusal(pending: Promise<unknown>): Promise<OcpiError> {
  const error = await pending.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(OcpiError)
  expect(error).toMatchObject({ code: 'ERR_OCPI_URL_REFUSED' })
  return error as OcpiError
}

describe('createNodeFetch against a loopback server', () => {
  it.each([
    ['127.0.0.1', '127.0.0.0/8'],
    ['::1', '::1/128'],
  ])('refuses a name resolving to %s before any connection (default policy)', async (address, range) => {
    const server = await loopbackServer()
    const lookup = answers(address)
    const fetch = nodeFetch({ lookup })
    const error = await refusal(fetch(`https://peer.example.com:${server.port}/ocpi/versions?x=1`))
    expect(error.message).toBe(
      `refused peer.example.com: the name resolves to a loopback address (${range}; allowInsecure permits it)`,
    )
    expect(lookup.calls).toEqual(['peer.example.com'])
    expect(server.connections()).toBe(0)
  })

  it.each([
    ['10.0.0.1', 'a private address (10.0.0.0/8)'],
    ['::ffff:127.0.0.1', 'an IPv4-mapped address (::ffff:0:0/96)'],
    ['0.0.0.0', 'an unspecified ("this network") address (0.0.0.0/8)'],
  ])('refuses a name resolving to %s even with allowInsecure', async (address, what) => {
    const sockets = stopSocketsTo(address)
    const server = await loopbackServer()
    const fetch = nodeFetch({ urlPolicy: { allowInsecure: true }, lookup: answers(address) })
    const error = await refusal(fetch(`http://peer.example.com:${server.port}/ocpi/versions`))
    expect(error.message).toBe(`refused peer.example.com: the name resolves to ${what}`)
    expect(sockets).toHaveBeenCalledTimes(1) // the socket was created, its lookup failed it
    expect(server.connections()).toBe(0)
  })

  it('refuses a name with one public and one private answer: no connection at all', async () => {
    const sockets = stopSocketsTo(PUBLIC_V4, '10.0.0.1')
    const fetch = nodeFetch({ urlPolicy: { allowInsecure: true }, lookup: answers(PUBLIC_V4, '10.0.0.1') })
    await refusal(fetch('http://peer.example.com:8080/'))
    expect(sockets).toHaveBeenCalledTimes(1) // the socket was created, its lookup failed it
  })

  it('with allowInsecure, connects to a name resolving to a loopback address', async () => {
    const server = await loopbackServer()
    const fetch = nodeFetch({ urlPolicy: { allowInsecure: true }, lookup: answers('127.0.0.1') })
    const response = await fetch(`http://peer.example.com:${server.port}/ocpi/versions`, {
      headers: { authorization: 'Token abc' },
    })
    expect(response).toBeInstanceOf(Response)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status_code: 1000, data: [] })
    expect(server.requests).toEqual([
      { method: 'GET', url: '/ocpi/versions', host: `peer.example.com:${server.port}` },
    ])
  })

  it('with allowHosts, connects to the listed name wherever it resolves (here an IPv4-mapped loopback)', async () => {
    const server = await loopbackServer()
    // allowInsecure only for http (the test server has no TLS): it does not permit IPv4-mapped answers.
    const urlPolicy: UrlPolicy = { allowInsecure: true, allowHosts: ['peer.example.com'] }
    const fetch = nodeFetch({ urlPolicy, lookup: answers('::ffff:127.0.0.1') })
    const response = await fetch(`http://peer.example.com:${server.port}/ocpi/versions`)
    expect(response.status).toBe(200)
    expect(server.requests).toHaveLength(1)
    // Another name resolving the same way is still refused.
    await refusal(fetch(`http://other.example.com:${server.port}/ocpi/versions`))
    expect(server.requests).toHaveLength(1)
  })

  it('sends a request body and returns non-2xx answers and redirects as they are', async () => {
    const bodies: string[] = []
    const server = await loopbackServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      request.on('end', () => {
        bodies.push(`${request.headers['content-type']} ${body}`)
        response.writeHead(request.method === 'POST' ? 405 : 302, { location: 'http://127.0.0.1:1/' })
        response.end()
      })
    })
    const fetch = nodeFetch({ urlPolicy: { allowInsecure: true }, lookup: answers('127.0.0.1') })
    const posted = await fetch(
      new Request(`http://peer.example.com:${server.port}/ocpi/2.2.1/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"token":"x"}',
      }),
    )
    expect(posted.status).toBe(405)
    expect(bodies).toEqual(['application/json {"token":"x"}'])
    const redirected = await fetch(`http://peer.example.com:${server.port}/ocpi/versions`, {
      redirect: 'manual',
    })
    expect([redirected.status, redirected.headers.get('location')]).toEqual([302, 'http://127.0.0.1:1/'])
  })

  it("stops waiting when the caller's signal aborts (the core's timeouts)", async () => {
    const server = await loopbackServer(() => undefined) // never answers
    const fetch = nodeFetch({ urlPolicy: { allowInsecure: true }, lookup: answers('127.0.0.1') })
    const error = await fetch(`http://peer.example.com:${server.port}/ocpi/versions`, {
      signal: AbortSignal.timeout(50),
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'TimeoutError' })
    expect(server.requests).toHaveLength(1)
  })

  it('checks its options at creation', () => {
    expect(() => createNodeFetch({ lookup: 'dns' as unknown as NodeLookup })).toThrow(
      /createNodeFetch: lookup must be a function/,
    )
    expect(() => createNodeFetch({ urlPolicy: { allowHosts: ['https://peer.example.com'] } })).toThrow(
      /allowHosts entries must be bare hostnames/,
    )
  })

  it('refuses a redirect to a refused IP literal when following redirects', async () => {
    const sockets = stopSocketsTo('10.0.0.1')
    const target = await loopbackServer()
    const server = await loopbackServer((_, response) => {
      response.writeHead(302, { location: `http://10.0.0.1:${target.port}/` })
      response.end()
    })
    const fetch = nodeFetch({ urlPolicy: { allowInsecure: true }, lookup: answers('127.0.0.1') })
    const error = await refusal(fetch(`http://peer.example.com:${server.port}/`))
    expect(error.message).toBe(
      `refused http://10.0.0.1:${target.port}: the host is a private address (10.0.0.0/8)`,
    )
    expect(server.requests).toHaveLength(1)
    expect(sockets).toHaveBeenCalledTimes(1) // the connection to the loopback server only
  })

  it('applies the URL policy to the URL itself (scheme, IP literals, credentials), before any lookup', async () => {
    const lookup = answers('127.0.0.1')
    const fetch = nodeFetch({ lookup })
    await refusal(fetch('http://peer.example.com/'))
    await refusal(fetch('https://127.0.0.1/'))
    await refusal(fetch('https://user:secret@peer.example.com/'))
    expect(lookup.calls).toEqual([])
  })

  it('lets a public answer through to the connect step (stopped there by a BlockList, no packet sent)', async () => {
    const sockets = stopSocketsTo(PUBLIC_V4)
    const lookup = answers(PUBLIC_V4)
    const fetch = nodeFetch({ urlPolicy: { allowInsecure: true }, lookup })
    const error = await fetch('http://peer.example.com/ocpi/versions').catch((e: unknown) => e)
    expect(sockets).toHaveBeenCalledTimes(1)
    expect(lookup.calls).toEqual(['peer.example.com'])
    expect(error).toBeInstanceOf(TypeError) // a connection failure, as fetch reports one; not a refusal
    expect((error as Error).cause).toMatchObject({ code: 'ERR_IP_BLOCKED' })
  })
})

describe('createNodeFetch against DNS rebinding', () => {
  it('a name that answered a public address to an earlier check is refused when the connection resolves it to loopback', async () => {
    const server = await loopbackServer()
    const lookup = rebinding([PUBLIC_V4], ['127.0.0.1'])
    // What a check-then-connect design would do: resolve, see a public address, approve the URL.
    expect(await lookup('peer.example.com')).toEqual([{ address: PUBLIC_V4, family: 4 }])
    const fetch = nodeFetch({ lookup })
    await refusal(fetch(`https://peer.example.com:${server.port}/ocpi/versions`))
    expect(lookup.calls).toHaveLength(2) // the connection resolved again, and that answer was checked
    expect(server.connections()).toBe(0)
  })

  it('every new connection checks its own answers: public, then private', async () => {
    stopSocketsTo(PUBLIC_V4)
    const server = await loopbackServer()
    const lookup = rebinding([PUBLIC_V4], ['::ffff:127.0.0.1'])
    const fetch = nodeFetch({ urlPolicy: { allowInsecure: true }, lookup })
    const first = await fetch(`http://peer.example.com:${server.port}/`).catch((e: unknown) => e)
    expect((first as Error).cause).toMatchObject({ code: 'ERR_IP_BLOCKED' }) // the public answer passed
    await refusal(fetch(`http://peer.example.com:${server.port}/`))
    expect(lookup.calls).toHaveLength(2)
    expect(server.connections()).toBe(0)
  })
})

describe('createOcpi({ fetch: createNodeFetch(…) })', () => {
  /** A platform served over HTTP on 127.0.0.1, reached as http://<name>:<port>. */
  async function platform(name: string, role: 'CPO' | 'EMSP', party: string, urlPolicy: UrlPolicy) {
    const handler: { handle?: (request: Request) => Promise<Response> } = {}
    const server = await loopbackServer((request, response) => {
      void serve(request, response, handler.handle)
    })
    const base = `http://${name}:${server.port}`
    const fetch = nodeFetch({ urlPolicy, lookup: answers('127.0.0.1') })
    const backing = createMemoryBacking()
    const ocpi = createOcpi({
      baseUrl: `${base}/ocpi`,
      parties: [{ role, country_code: 'NL', party_id: party, business_details: { name: party } }],
      modules: [{ id: 'locations', role: 'SENDER' }],
      store: memoryStore({ backing }),
      sealingKeys: [{ kid: 'k', key: SEALING_KEY }],
      urlPolicy,
      fetch,
    })
    handler.handle = (request) => ocpi.handle(request)
    return { ocpi, server, backing }
  }

  it('registers end to end over loopback HTTP, both callbacks through the guarded fetch', async () => {
    const urlPolicy: UrlPolicy = { allowInsecure: true }
    const cpo = await platform('cpo.example.com', 'CPO', 'CPO', urlPolicy)
    const emsp = await platform('emsp.example.com', 'EMSP', 'MSP', urlPolicy)
    const invitation = await cpo.ocpi.invite()
    const registered = await emsp.ocpi.register({
      versionsUrl: invitation.versionsUrl,
      token: invitation.token,
    })
    expect(registered.state).toBe('registered')
    expect((await cpo.ocpi.getPeer(invitation.peerId))?.state).toBe('registered')
    const calls = (server: LoopbackServer) => server.requests.map((r) => `${r.method} ${r.url}`)
    const version = registered.version
    expect(calls(cpo.server)).toEqual([
      'GET /ocpi/versions',
      `GET /ocpi/${version}`,
      `POST /ocpi/${version}/credentials`,
    ])
    // The CPO's callback discovery during the POST, also through its guarded fetch.
    expect(calls(emsp.server)).toEqual(['GET /ocpi/versions', `GET /ocpi/${version}`])
  })

  it('a refusal is not retried by the transport, not even for a GET', async () => {
    const server = await loopbackServer()
    const lookup = answers('127.0.0.1')
    const transport = createTransport({ fetch: nodeFetch({ lookup }), getRetries: 2 })
    const error = await refusal(
      transport.send({
        method: 'GET',
        url: `https://peer.example.com:${server.port}/ocpi/versions`,
        headers: { authorization: 'Token secret-token-value' },
        step: 'GET versions',
      }),
    )
    expect(error.message).not.toContain('secret-token-value')
    expect(lookup.calls).toHaveLength(1)
    expect(server.connections()).toBe(0)
  })

  it('refuses to register with a peer whose name resolves to loopback, without allowInsecure', async () => {
    const cpo = await platform('cpo.example.com', 'CPO', 'CPO', { allowInsecure: true })
    const invitation = await cpo.ocpi.invite()
    const emsp = createOcpi({
      baseUrl: 'https://emsp.example.com/ocpi',
      parties: [{ role: 'EMSP', country_code: 'NL', party_id: 'MSP', business_details: { name: 'MSP' } }],
      modules: [{ id: 'locations', role: 'SENDER' }],
      store: memoryStore({ backing: createMemoryBacking() }),
      sealingKeys: [{ kid: 'k', key: SEALING_KEY }],
      fetch: nodeFetch({ lookup: answers('127.0.0.1') }),
    })
    const versionsUrl = `https://cpo.example.com:${cpo.server.port}/ocpi/versions`
    const error = await refusal(emsp.register({ versionsUrl, token: invitation.token }))
    expect(error.message).toContain('refused cpo.example.com: the name resolves to a loopback address')
    expect(error.message).not.toContain(invitation.token)
    expect(cpo.server.connections()).toBe(0)
  })
})

/** Node request → web Request → the platform's handler → Node response. */
async function serve(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  handle: ((request: Request) => Promise<Response>) | undefined,
): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const body = chunks.length === 0 ? undefined : Buffer.concat(chunks)
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value)
  }
  const answer = await (handle as (request: Request) => Promise<Response>)(
    new Request(`http://${request.headers.host}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      ...(body === undefined ? {} : { body }),
    }),
  )
  response.writeHead(answer.status, Object.fromEntries(answer.headers))
  response.end(Buffer.from(await answer.arrayBuffer()))
}
