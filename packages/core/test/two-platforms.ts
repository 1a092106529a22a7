// Two SDK instances in one process, each using the other's `handle` as its fetch: a CPO and an eMSP.
// Each also serves one functional module through `authenticate`, so links can be exercised end to end.
import { createMemoryBacking, createOcpi, memoryStore, type Ocpi, type OcpiOptions } from '../src/index.js'
import { SEALING_KEY } from './harness.js'

export interface Platform {
  ocpi: Ocpi
  backing: ReturnType<typeof createMemoryBacking>
  base: string
  /** Every request this platform received, in order. */
  received: { method: string; url: string; authorization: string | null; headers: Record<string, string> }[]
  lines: string[]
}

export function twoPlatforms(options: { cpo?: Partial<OcpiOptions>; emsp?: Partial<OcpiOptions> } = {}): {
  cpo: Platform
  emsp: Platform
  fetch: (input: Request | string | URL, init?: RequestInit) => Promise<Response>
} {
  const platforms = new Map<string, Platform>()
  const fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const target = platforms.get(new URL(request.url).origin)
    if (target === undefined) throw new TypeError('fetch failed')
    target.received.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.get('authorization'),
      headers: Object.fromEntries(request.headers.entries()),
    })
    const module = /\/(locations|tokens)(\/|$)/.exec(new URL(request.url).pathname)?.[1]
    if (module !== undefined) {
      const auth = await target.ocpi.authenticate(request, { module })
      if (!auth.ok) return auth.response
      return Response.json({ data: [], status_code: 1000, timestamp: new Date().toISOString() })
    }
    return target.ocpi.handle(request)
  }
  const make = (
    base: string,
    party: { role: 'CPO' | 'EMSP'; country_code: string; party_id: string },
    modules: OcpiOptions['modules'],
    overrides: Partial<OcpiOptions> = {},
  ): Platform => {
    const backing = createMemoryBacking()
    const lines: string[] = []
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
    const ocpi = createOcpi({
      baseUrl: `${base}/ocpi`,
      parties: [{ ...party, business_details: { name: `${party.party_id} ${party.role}` } }],
      modules,
      store: memoryStore({ backing }),
      sealingKeys: [{ kid: 'k', key: SEALING_KEY }],
      fetch,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      ...overrides,
    })
    for (const event of [
      'invited',
      'registered',
      'registration-failed',
      'rotated',
      'unregistered',
      'authentication-failed',
    ] as const) {
      ocpi.on(event, (payload) => lines.push(`event ${event} ${JSON.stringify(payload)}`))
    }
    const platform: Platform = { ocpi, backing, base, received: [], lines }
    platforms.set(base, platform)
    return platform
  }
  const cpo = make(
    'https://cpo.example.com',
    { role: 'CPO', country_code: 'NL', party_id: 'CPO' },
    [{ id: 'locations', role: 'SENDER' }],
    options.cpo,
  )
  const emsp = make(
    'https://emsp.example.com',
    { role: 'EMSP', country_code: 'DE', party_id: 'MSP' },
    [{ id: 'tokens', role: 'SENDER' }],
    options.emsp,
  )
  return { cpo, emsp, fetch }
}

/** `POST /invitations` to an admin handler mounted at `https://cpo.example.com/admin`, with a JSON body. */
export function postInvitation(
  admin: (request: Request) => Promise<Response>,
  body: unknown,
): Promise<Response> {
  return admin(
    new Request('https://cpo.example.com/admin/invitations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  )
}
