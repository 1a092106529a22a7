// Shared set-up for the core's end-to-end tests: an SDK instance (the receiver of a registration) with
// a memory store whose raw backing the tests read, and an msw-played sender platform that records every
// callback request it receives.
import { HttpResponse, http } from 'msw'
import { type SetupServer, setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { createMemoryBacking, createOcpi, memoryStore, type OcpiOptions } from '../src/index.js'

/** An msw server for the file's tests: unhandled requests fail, handlers reset after each test. */
export function useMswServer(): SetupServer {
  const server = setupServer()
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())
  return server
}

export const RECEIVER_BASE = 'https://cpo.example.com/ocpi'
export const SENDER_BASE = 'https://emsp.example.com/ocpi'
export const SEALING_KEY = new Uint8Array(32).fill(7)

/** Everything that was logged or emitted, to assert that no token ever shows up. */
export interface Captured {
  lines: string[]
}

export function createReceiver(overrides: Partial<OcpiOptions> = {}) {
  const backing = createMemoryBacking()
  const captured: Captured = { lines: [] }
  const capture = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    captured.lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
  const ocpi = createOcpi({
    baseUrl: RECEIVER_BASE,
    parties: [
      { role: 'CPO', country_code: 'NL', party_id: 'EXA', business_details: { name: 'Example CPO' } },
    ],
    modules: [{ id: 'locations', role: 'SENDER' }],
    store: memoryStore({ backing }),
    sealingKeys: [{ kid: 'test', key: SEALING_KEY }],
    logger: {
      debug: capture('debug'),
      info: capture('info'),
      warn: capture('warn'),
      error: capture('error'),
    },
    ...overrides,
  })
  for (const event of [
    'invited',
    'registered',
    'registration-failed',
    'unregistered',
    'authentication-failed',
  ] as const) {
    ocpi.on(event, (payload) => captured.lines.push(`event ${event} ${JSON.stringify(payload)}`))
  }
  return { ocpi, backing, captured }
}

export type TokenMode = 'any' | 'raw-only' | 'base64-only'

export interface SenderOptions {
  version: '2.1.1' | '2.2.1' | '2.3.0'
  token: string
  /** What the sender's versions list advertises (defaults to the version). */
  listed?: string[]
  endpoints?: { identifier: string; role?: string; url: string }[]
  tokenMode?: TokenMode
  fail?: 'versions-500' | 'details-500' | 'versions-garbage' | 'versions-unreachable'
  base?: string
}

export interface RecordedRequest {
  method: string
  url: string
  authorization: string | null
  headers: Record<string, string>
}

const b64 = (s: string) => btoa(s)

/** Installs an msw-played sender platform on `server`; returns what it saw. */
export function installSender(server: SetupServer, options: SenderOptions) {
  const base = options.base ?? SENDER_BASE
  const seen: RecordedRequest[] = []
  const listed = options.listed ?? [options.version]
  const modern = options.version !== '2.1.1'
  const endpoints = options.endpoints ?? [
    modern
      ? { identifier: 'credentials', role: 'SENDER', url: `${base}/${options.version}/credentials` }
      : { identifier: 'credentials', url: `${base}/${options.version}/credentials` },
    modern
      ? { identifier: 'tokens', role: 'SENDER', url: `${base}/${options.version}/tokens` }
      : { identifier: 'tokens', url: `${base}/${options.version}/tokens` },
  ]
  const mode = options.tokenMode ?? 'any'
  const accepted = new Set<string>()
  if (mode !== 'base64-only') accepted.add(`Token ${options.token}`)
  if (mode !== 'raw-only') accepted.add(`Token ${b64(options.token)}`)
  const envelope = (data: unknown) =>
    HttpResponse.json({ data, status_code: 1000, timestamp: '2026-11-23T10:00:00Z' })
  const record = (request: Request) => {
    seen.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.get('authorization'),
      headers: Object.fromEntries(request.headers.entries()),
    })
    return accepted.has(request.headers.get('authorization') ?? '')
  }
  server.use(
    http.get(`${base}/versions`, ({ request }) => {
      if (!record(request))
        return HttpResponse.json({ status_code: 2000, timestamp: '2026-11-23T10:00:00Z' }, { status: 401 })
      if (options.fail === 'versions-500') return new HttpResponse('boom', { status: 500 })
      if (options.fail === 'versions-garbage') return new HttpResponse('{not json', { status: 200 })
      if (options.fail === 'versions-unreachable') return HttpResponse.error()
      return envelope(listed.map((version) => ({ version, url: `${base}/${version}` })))
    }),
    http.get(`${base}/:version`, ({ request, params }) => {
      if (!record(request))
        return HttpResponse.json({ status_code: 2000, timestamp: '2026-11-23T10:00:00Z' }, { status: 401 })
      if (options.fail === 'details-500') return new HttpResponse('boom', { status: 500 })
      return envelope({ version: params['version'], endpoints })
    }),
  )
  return { seen, versionsUrl: `${base}/versions` }
}

/** Our credentials body in a version's wire format, as the sender would POST it. */
export function senderCredentials(
  version: '2.1.1' | '2.2.1' | '2.3.0',
  token: string,
  url = `${SENDER_BASE}/versions`,
  party = { country_code: 'DE', party_id: 'MSP' },
) {
  const business_details = { name: 'Example eMSP' }
  if (version === '2.1.1') return { token, url, business_details, ...party }
  return { token, url, roles: [{ role: 'EMSP', business_details, ...party }] }
}

export function request(
  method: string,
  path: string,
  options: {
    token?: string
    encoding?: 'raw' | 'base64'
    body?: unknown
    rawBody?: string
    headers?: Record<string, string>
  } = {},
) {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) {
    headers['authorization'] = `Token ${options.encoding === 'base64' ? b64(options.token) : options.token}`
  }
  let body: string | undefined
  if (options.rawBody !== undefined) body = options.rawBody
  else if (options.body !== undefined) body = JSON.stringify(options.body)
  if (body !== undefined) headers['content-type'] = 'application/json'
  return new Request(`${RECEIVER_BASE}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
}

export async function call(handle: (r: Request) => Promise<Response>, req: Request) {
  const response = await handle(req)
  const body = (await response.json()) as {
    data?: unknown
    status_code: number
    status_message?: string
    timestamp: string
  }
  return { status: response.status, body, headers: response.headers }
}

/** Asserts that no token, nor any 8-character piece of one, appears in the captured lines. */
export function expectNoTokenIn(lines: readonly string[], tokens: readonly string[]) {
  const text = lines.join('\n')
  for (const token of tokens) {
    for (let i = 0; i + 8 <= token.length; i++) {
      const piece = token.slice(i, i + 8)
      if (text.includes(piece))
        throw new Error(`a piece of a token leaked into logs or events: position ${i}`)
    }
  }
}

/** Registers an msw-played sender with a fresh receiver; returns the link's tokens. */
export async function registerSender(
  server: SetupServer,
  version: '2.1.1' | '2.2.1' | '2.3.0',
  tokenB: string,
  overrides: Partial<OcpiOptions> = {},
) {
  const receiver = createReceiver(overrides)
  const { token: tokenA, peerId } = await receiver.ocpi.invite()
  const sender = installSender(server, { version, token: tokenB })
  const response = await call(
    receiver.ocpi.handle,
    request('POST', `/${version}/credentials`, { token: tokenA, body: senderCredentials(version, tokenB) }),
  )
  if (response.body.status_code !== 1000) throw new Error(`registration failed: ${response.body.status_code}`)
  const tokenC = (response.body.data as { token: string }).token
  return { ...receiver, tokenA, tokenC, peerId, sender }
}
